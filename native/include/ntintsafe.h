/* MiniportTimers: the checked ULONG arithmetic of ntintsafe.h that drivers use (RtlULongAdd, RtlULongMult). */
#pragma once

#include "ntdef.h"

/* ntintsafe.h: checked ULONG arithmetic. STATUS_INTEGER_OVERFLOW (0xC0000095) and *Result = ULONG_ERROR on overflow. */
#define STATUS_INTEGER_OVERFLOW ((NTSTATUS)0xC0000095)
#define ULONG_ERROR 0xffffffffU
static inline NTSTATUS RtlULongAdd(ULONG Augend, ULONG Addend, ULONG *Result)
{
    if (__builtin_add_overflow(Augend, Addend, Result)) { *Result = ULONG_ERROR; return STATUS_INTEGER_OVERFLOW; }
    return STATUS_SUCCESS;
}
static inline NTSTATUS RtlULongMult(ULONG Multiplicand, ULONG Multiplier, ULONG *Result)
{
    if (__builtin_mul_overflow(Multiplicand, Multiplier, Result)) { *Result = ULONG_ERROR; return STATUS_INTEGER_OVERFLOW; }
    return STATUS_SUCCESS;
}
