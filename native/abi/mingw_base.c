/*
 * The ABI check's reference side for ntdef.h, wdm.h, ntintsafe.h, devioctl.h, ntddscsi.h,
 * ntddstor.h, acpiioct.h, ntdddisk.h, sdkddkver.h, guiddef.h and evntrace.h: mingw-w64's DDK headers (Debian's
 * mingw-w64-x86-64-dev), compiled by x86_64-w64-mingw32-gcc, so every type has its Windows x64 (LLP64) size.
 * Only facts (sizes, offsets, values) are read from them; see native/abi/abi_check.py.
 */
#include <ntddk.h>
#include <ntintsafe.h>
#include <ntddscsi.h>
#include <ntddstor.h>
#include <acpiioct.h>
#include <ntdddisk.h>
#include <sdkddkver.h>
#include <guiddef.h>
#include <evntrace.h>

#ifdef ABI_ITEMS
#include ABI_ITEMS
#endif
