/*
 * MiniportTimers: how ata.h and scsi.h reach mingw-w64's DDK headers. The ATA and SCSI definitions (IDENTIFY_DEVICE_DATA,
 * CDB, SENSE_DATA, INQUIRYDATA, IDE_COMMAND_*, SCSIOP_*, about 350 names) are not written here: Debian's
 * mingw-w64-x86-64-dev ships them as ddk/ata.h and ddk/scsi.h, and native/toolchain.mk passes that folder as MPT_DDK
 * when it is installed (override with `make MPT_DDK=<folder>`). They are read from the installed package at build
 * time, never copied into this repository. Only ata.h and scsi.h are taken from it, by full path: the rest of that
 * folder (its ntddk.h, srb.h, storport.h) never shadows or stands in for ours.
 */
#pragma once

#ifndef MPT_DDK
#error "ata.h and scsi.h come from mingw-w64's DDK headers: install mingw-w64-x86-64-dev, or build with MPT_DDK=<folder holding ata.h and scsi.h> (native/toolchain.mk)"
#endif

#define MPT_DDK_STR_(x) #x
#define MPT_DDK_STR(x) MPT_DDK_STR_(x)
/* "<MPT_DDK>/<name>" as a string, for #include. */
#define MPT_DDK_HEADER(name) MPT_DDK_STR(MPT_DDK/name)

/* mingw-w64 spells anonymous members through these; our flags (-fms-extensions) accept them bare. */
#ifndef _ANONYMOUS_STRUCT
#define _ANONYMOUS_STRUCT
#endif
#ifndef _ANONYMOUS_UNION
#define _ANONYMOUS_UNION
#endif
/* scsi.h would include mingw-w64's srb.h; the SRB and the port configuration are storport.h's. */
#ifndef _NTSCSI_USER_MODE_
#define _NTSCSI_USER_MODE_
#endif
