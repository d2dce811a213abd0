/*
 * The ABI check's side for our headers (native/abi/abi_check.py): every header a driver includes, compiled with the
 * flags of native/toolchain.mk. ABI_ITEMS is a file the script generates: one sizeof/offsetof/constant initialiser a
 * line, so the compiler reduces each to a number in the assembly it writes.
 */
#include "ndis.h"
#include "storport.h"
#include "srbhelper.h" /* with srb.h (through storport.h) */
#include "ntintsafe.h"
#include "devioctl.h"
#include "ntddscsi.h"
#include "ntddstor.h"
#include "acpiioct.h"
#include "ata.h"     /* with scsi.h (through storport.h) */
#include "ntddk.h"   /* with sdkddkver.h and excpt.h */
#include "ntdddisk.h"
#include "scsiwmi.h"
#include "initguid.h" /* with guiddef.h */
#include "evntrace.h"
#include "stortrce.h" /* no mingw-w64 counterpart: its layout is pinned by C_ASSERTs */

#ifdef ABI_ITEMS
#include ABI_ITEMS
#endif
