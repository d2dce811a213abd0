/*
 * MiniportTimers: what the shim's C files share (hidden: -fvisibility=hidden keeps it out of the driver's exports).
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include "mpt_bridge.h"

/* The host's DDI table, written once by MptSetDdiTable before DriverEntry. */
extern const MPT_DDI_TABLE *g_mpt;

/* Set by MptRaiseBugCheck when the host recorded a bug check on this thread; cleared on every trampoline entry. */
extern __thread int mpt_t_fault;

/* Unwinds to the innermost trampoline (longjmp). */
__attribute__((noreturn)) void mpt_unwind(void);

/* After every call into the host: unwind if it recorded a bug check. */
#define MPT_CHECK() do { if (mpt_t_fault) mpt_unwind(); } while (0)

/* A routine the emulation does not implement: a bug check naming it (never a silent success). */
__attribute__((noreturn)) void mpt_unsupported(const char *routine);

/* Formats like the Windows kernel's DbgPrint into out (at most cap - 1 bytes and a terminator). mpt_format.c. */
void mpt_format(char *out, size_t cap, const char *format, va_list args);
