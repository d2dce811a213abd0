/*
 * MiniportTimers: the C library's stdlib.h for driver source that includes it (the WDK ships the CRT's headers to
 * kernel code too). It is the system's, included with __inline as the C library expects it: ntdef.h redefines
 * __inline as MSVC's C meaning (a weak definition), which the C library's `static __inline` functions cannot take.
 */
#pragma once

#pragma push_macro("__inline")
#undef __inline
#include_next <stdlib.h>
#pragma pop_macro("__inline")
