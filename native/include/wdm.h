/*
 * MiniportTimers: the kernel routines a miniport meets around its timers (IRQL, DPC objects, spin locks, clock reads,
 * debug print), as Windows x64 declares them (wdm.h reference pages). Only what the emulation implements is declared:
 * a routine missing here is a compile or link error, never a silent stub. See docs/native.md for the table.
 */
#pragma once

#include "ntdef.h"

#define _Analysis_mode_(mode)
#define _Analysis_code_type_kernel_driver_

/* IRQL (x64 values) */
typedef UCHAR KIRQL, *PKIRQL;
#define PASSIVE_LEVEL 0
#define LOW_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
#define CMCI_LEVEL 5
#define CLOCK_LEVEL 13
#define IPI_LEVEL 14
#define POWER_LEVEL 14
#define PROFILE_LEVEL 15
#define HIGH_LEVEL 15

/* The current IRQL of the calling thread (KeGetCurrentIrql). IRQL: any. */
KIRQL KeGetCurrentIrql(void);

/* Spin locks: a KSPIN_LOCK is pointer-sized caller storage (KeInitializeSpinLock). KeAcquireSpinLock raises to
   DISPATCH_LEVEL and returns the old IRQL through OldIrql; the AtDpcLevel forms require DISPATCH_LEVEL already. */
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
void KeInitializeSpinLock(PKSPIN_LOCK SpinLock);
KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock);
#define KeAcquireSpinLock(SpinLock, OldIrql) (*(OldIrql) = KeAcquireSpinLockRaiseToDpc(SpinLock))
void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
void KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
void KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock);

/* Clock reads, on the host's engine clock (virtual or real) and its epoch. Units: 100 ns. */
ULONGLONG KeQueryInterruptTime(void);                 /* since boot (engine time 0) */
void KeQuerySystemTime(PLARGE_INTEGER CurrentTime);    /* since 1601-01-01, on the host's epoch */
void KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime);
void KeStallExecutionProcessor(ULONG MicroSeconds);    /* busy-wait; on a virtual clock it moves the clock */

/* Debug output: DbgPrint formats with Windows semantics (%lx is 32 bits, %I64x 64, %ws/%wZ wide) and goes to the
   host's debug log. Returns STATUS_SUCCESS. */
ULONG DbgPrint(PCSTR Format, ...);
ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...);
#define DPFLTR_IHVDRIVER_ID 77
#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL 2
#define DPFLTR_INFO_LEVEL 3
#define KdPrint(args) DbgPrint args
#define KdPrintEx(args) DbgPrintEx args

/* WPP software tracing without the WPP preprocessor: starting and stopping it do nothing (see mpt/wpp_tmh.h). */
#define WPP_INIT_TRACING(DriverObject, RegistryPath) ((void)(DriverObject), (void)(RegistryPath))
#define WPP_CLEANUP(DriverObject) ((void)(DriverObject))

/* Stops the adapter whose routine runs with the given bug check (KeBugCheckEx); does not return. */
__attribute__((noreturn)) void KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4);
