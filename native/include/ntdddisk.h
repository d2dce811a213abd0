/*
 * MiniportTimers: the disk I/O control structures a storage miniport meets (ntdddisk.h reference), here the SMART
 * ones that IOCTL_SCSI_MINIPORT_SMART_VERSION, _IDENTIFY and _READ_SMART_ATTRIBS carry after their SRB_IO_CONTROL
 * (ntddscsi.h): GETVERSIONINPARAMS, SENDCMDINPARAMS and SENDCMDOUTPARAMS, 1-byte packed as Windows declares them.
 * Checked against mingw-w64's ntdddisk.h by the ABI check.
 */
#pragma once

#include "ntddstor.h"

#include "pshpack1.h"

/* The answer to SMART_GET_VERSION / IOCTL_SCSI_MINIPORT_SMART_VERSION. */
typedef struct _GETVERSIONINPARAMS {
    UCHAR bVersion;        /* the driver's binary version */
    UCHAR bRevision;       /* its revision */
    UCHAR bReserved;
    UCHAR bIDEDeviceMap;   /* a bit per IDE device present */
    ULONG fCapabilities;   /* CAP_* */
    ULONG dwReserved[4];
} GETVERSIONINPARAMS, *PGETVERSIONINPARAMS, *LPGETVERSIONINPARAMS;

/* GETVERSIONINPARAMS.fCapabilities */
#define CAP_ATA_ID_CMD 1     /* ATA IDENTIFY DEVICE */
#define CAP_ATAPI_ID_CMD 2   /* ATA IDENTIFY PACKET DEVICE */
#define CAP_SMART_CMD 4      /* SMART commands */

/* The IDE register file of a SMART command. */
typedef struct _IDEREGS {
    UCHAR bFeaturesReg;
    UCHAR bSectorCountReg;
    UCHAR bSectorNumberReg;
    UCHAR bCylLowReg;
    UCHAR bCylHighReg;
    UCHAR bDriveHeadReg;
    UCHAR bCommandReg;
    UCHAR bReserved;
} IDEREGS, *PIDEREGS, *LPIDEREGS;

/* A SMART or IDENTIFY command's input. */
typedef struct _SENDCMDINPARAMS {
    ULONG cBufferSize;     /* bytes of bBuffer */
    IDEREGS irDriveRegs;
    UCHAR bDriveNumber;
    UCHAR bReserved[3];
    ULONG dwReserved[4];
    UCHAR bBuffer[1];
} SENDCMDINPARAMS, *PSENDCMDINPARAMS, *LPSENDCMDINPARAMS;

/* The driver's status for a SMART or IDENTIFY command. */
typedef struct _DRIVERSTATUS {
    UCHAR bDriverError;    /* SMART_* error codes below */
    UCHAR bIDEError;       /* the device's error register */
    UCHAR bReserved[2];
    ULONG dwReserved[2];
} DRIVERSTATUS, *PDRIVERSTATUS, *LPDRIVERSTATUS;

/* A SMART or IDENTIFY command's output: cBufferSize bytes of data in bBuffer. */
typedef struct _SENDCMDOUTPARAMS {
    ULONG cBufferSize;
    DRIVERSTATUS DriverStatus;
    UCHAR bBuffer[1];
} SENDCMDOUTPARAMS, *PSENDCMDOUTPARAMS, *LPSENDCMDOUTPARAMS;

#include "poppack.h"

C_ASSERT(sizeof(GETVERSIONINPARAMS) == 24 && sizeof(IDEREGS) == 8 && sizeof(DRIVERSTATUS) == 12);
C_ASSERT(sizeof(SENDCMDINPARAMS) == 33 && sizeof(SENDCMDOUTPARAMS) == 17);

/* DRIVERSTATUS.bDriverError */
#define SMART_NO_ERROR 0
#define SMART_IDE_ERROR 1
#define SMART_INVALID_FLAG 2
#define SMART_INVALID_COMMAND 3
#define SMART_INVALID_BUFFER 4
#define SMART_INVALID_DRIVE 5
#define SMART_INVALID_IOCTL 6
#define SMART_ERROR_NO_MEM 7
#define SMART_INVALID_REGISTER 8
#define SMART_NOT_SUPPORTED 9
#define SMART_NO_IDE_DEVICE 10

/* Bytes of IDENTIFY data, of SMART attributes, and of SMART thresholds. */
#define IDENTIFY_BUFFER_SIZE 512
#define READ_ATTRIBUTE_BUFFER_SIZE 512
#define READ_THRESHOLD_BUFFER_SIZE 512
#define SMART_LOG_SECTOR_SIZE 512
