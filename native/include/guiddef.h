/*
 * MiniportTimers: GUID definitions (guiddef.h reference: GUID, DEFINE_GUID, IsEqualGUID). GUID itself is ntdef.h's.
 * DEFINE_GUID(name, l, w1, w2, b1..b8) declares `extern const GUID name`; after initguid.h (INITGUID) it defines it,
 * as a selectany definition in MSVC: each file that includes initguid.h may define the same GUID, the link keeps one
 * (a weak definition here).
 */
#ifndef MPT_GUIDDEF_TYPES
#define MPT_GUIDDEF_TYPES
#include "ntdef.h"

typedef GUID IID, CLSID, *LPIID, *LPCLSID;
#ifndef REFGUID
#define REFGUID const GUID *
#endif
#define DECLSPEC_SELECTANY __attribute__((weak))
/* TRUE when the two GUIDs' 16 bytes are equal. */
#define IsEqualGUID(rguid1, rguid2) (!memcmp((rguid1), (rguid2), sizeof(GUID)))
#endif

/* Not guarded: each inclusion defines DEFINE_GUID again, so including guiddef.h after INITGUID (initguid.h does) makes
   the DEFINE_GUIDs that follow definitions. */
#undef DEFINE_GUID
#ifdef INITGUID
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) \
    const GUID DECLSPEC_SELECTANY name = { l, w1, w2, { b1, b2, b3, b4, b5, b6, b7, b8 } }
#else
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) extern const GUID name
#endif
