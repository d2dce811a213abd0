/*
 * MiniportTimers: the C API of way (a). A C test program links its driver, native/shim/mpt_shim.c and the library
 * published with NativeAOT (make -C native aot), and drives the emulation with these (docs/native.md).
 * Link with -rdynamic so the library finds the shim in the program. Every call returns -1 (or NULL) on failure;
 * mpt_host_last_error says why. The one exception: mpt_host_start_driver returns the status a failing DriverEntry
 * returned.
 */
#pragma once

#include <stddef.h>

typedef struct MPT_HOST MPT_HOST;

#define MPT_STACK_STORPORT 1
#define MPT_STACK_NDIS 2

/* A host on the virtual clock (virtualClock != 0: time moves only in mpt_host_advance) or the real one. */
MPT_HOST *mpt_host_create(int virtualClock);
/* Runs the program's DriverEntry; its StorPortInitialize / NdisMRegisterMiniportDriver registers with this host.
   Returns DriverEntry's status: 0 (or another success status) when it succeeded; a failure status as the int of the
   same bits (STATUS_UNSUCCESSFUL is (int)0xC0000001), with mpt_host_last_error naming it ("...: DriverEntry returned
   0xC0000001 (STATUS_UNSUCCESSFUL)") and no driver bound; -1 when DriverEntry could not run (the program was linked
   without the shim or without -rdynamic), raised a bug check, or stack is not MPT_STACK_*. */
int mpt_host_start_driver(MPT_HOST *host, int stack);
/* Adds an adapter (HwStorFindAdapter + HwStorInitialize, or MiniportInitializeEx + MiniportRestart); returns its index. */
int mpt_host_add_adapter(MPT_HOST *host);
/* Lets microseconds of engine time pass: on the virtual clock at once, firing what comes due; on the real clock, waits. */
int mpt_host_advance(MPT_HOST *host, unsigned long long microseconds);
/* Storport: hands HwStorStartIo an SRB whose first CDB byte is command. Returns 1 if StartIo accepted it. */
int mpt_host_submit(MPT_HOST *host, int adapter, unsigned char command);
/* Removes (Storport) or halts (NDIS) an adapter. */
int mpt_host_stop_adapter(MPT_HOST *host, int adapter);
/* The report as JSON ({"timers":[{"kind","callback","arms","fires","cancels","busy",...}],"bugChecks":[...],...}).
   Writes it with a terminator when it fits; returns its length either way. */
size_t mpt_host_report_json(MPT_HOST *host, char *buffer, size_t capacity);
size_t mpt_host_last_error(MPT_HOST *host, char *buffer, size_t capacity);
void mpt_host_destroy(MPT_HOST *host);
