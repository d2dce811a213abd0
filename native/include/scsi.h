/*
 * MiniportTimers: the SCSI definitions (CDB, SENSE_DATA, INQUIRYDATA, READ_CAPACITY_DATA, SCSIOP_*, ...) from
 * mingw-w64's installed ddk/scsi.h, not a copy of it (see mpt/ddk.h); storport.h includes it when it is available.
 */
#pragma once

#include "ntdef.h"
#include "mpt/ddk.h"
#include MPT_DDK_HEADER(scsi.h)

C_ASSERT(sizeof(CDB) == 16 && sizeof(SENSE_DATA) == 18 && sizeof(INQUIRYDATA) == 96 && sizeof(READ_CAPACITY_DATA) == 8);
