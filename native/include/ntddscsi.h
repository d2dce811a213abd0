/*
 * MiniportTimers: the SCSI port's I/O controls a Storport miniport sees (ntddscsi.h): IOCTL_SCSI_MINIPORT and the
 * SRB_IO_CONTROL header in front of its buffer, the ATA pass-through flags, and the miniport IOCTL codes storahci
 * handles. Values from the public IOCTL and structure pages.
 */
#pragma once

#include "devioctl.h"

#define IOCTL_SCSI_BASE FILE_DEVICE_CONTROLLER
#define IOCTL_SCSI_MINIPORT CTL_CODE(IOCTL_SCSI_BASE, 0x0402, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)

/* The header of an IOCTL_SCSI_MINIPORT buffer (SRB_FUNCTION_IO_CONTROL); the data follows it. 28 bytes. */
typedef struct _SRB_IO_CONTROL {
    ULONG HeaderLength;
    UCHAR Signature[8];
    ULONG Timeout;
    ULONG ControlCode;
    ULONG ReturnCode;
    ULONG Length;
} SRB_IO_CONTROL, *PSRB_IO_CONTROL;
C_ASSERT(sizeof(SRB_IO_CONTROL) == 28 && FIELD_OFFSET(SRB_IO_CONTROL, ControlCode) == 16);

/* ATA_PASS_THROUGH_EX.AtaFlags */
#define ATA_FLAGS_DRDY_REQUIRED 0x01
#define ATA_FLAGS_DATA_IN 0x02
#define ATA_FLAGS_DATA_OUT 0x04
#define ATA_FLAGS_48BIT_COMMAND 0x08
#define ATA_FLAGS_USE_DMA 0x10
#define ATA_FLAGS_NO_MULTIPLE 0x20

/* SRB_IO_CONTROL.ControlCode values of the miniport IOCTLs */
#define IOCTL_SCSI_MINIPORT_NVCACHE ((FILE_DEVICE_SCSI << 16) + 0x0600)
#define IOCTL_SCSI_MINIPORT_HYBRID ((FILE_DEVICE_SCSI << 16) + 0x0620)
#define IOCTL_SCSI_MINIPORT_DSM ((FILE_DEVICE_SCSI << 16) + 0x0720)
#define IOCTL_SCSI_MINIPORT_DSM_GENERAL ((FILE_DEVICE_SCSI << 16) + 0x0721)
#define IOCTL_SCSI_MINIPORT_FIRMWARE ((FILE_DEVICE_SCSI << 16) + 0x0780)
