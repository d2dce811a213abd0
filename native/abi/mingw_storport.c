/*
 * The ABI check's reference side for storport.h, srb.h, scsiwmi.h, scsi.h and ata.h: mingw-w64's, over its ntddk.h.
 */
#include <ntddk.h>
#include <srb.h>

/* mingw-w64 10.0's storport.h defines struct _SCSI_WMI_REQUEST_BLOCK again after srb.h has; its second copy gets
   other names (no part of ours). */
#define _SCSI_WMI_REQUEST_BLOCK mpt_abi_second_SCSI_WMI_REQUEST_BLOCK_tag
#define SCSI_WMI_REQUEST_BLOCK mpt_abi_second_SCSI_WMI_REQUEST_BLOCK
#define PSCSI_WMI_REQUEST_BLOCK mpt_abi_second_PSCSI_WMI_REQUEST_BLOCK
#include <storport.h>
#undef _SCSI_WMI_REQUEST_BLOCK
#undef SCSI_WMI_REQUEST_BLOCK
#undef PSCSI_WMI_REQUEST_BLOCK

#include <scsiwmi.h>
#include <scsi.h>
#include <ata.h>

#ifdef ABI_ITEMS
#include ABI_ITEMS
#endif
