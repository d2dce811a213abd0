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

/*
 * Shim state a driver routine holds on the calling thread (a read-write lock's read or write access), and the IRQL the
 * shim raised for it. Each thread keeps a log of its holds; each trampoline frame remembers the log's length when the
 * host called in, and a bug check's unwind gives back, newest first, everything logged after that mark
 * (mpt_shim.c: mpt_frame, mpt_unwound). The state's owner (ndis_rwlock.c) logs a hold before it takes anything, marks
 * it taken, and removes it when the driver releases the state. A pointer to a hold is good until the next
 * mpt_hold_remove on the thread (which compacts the innermost frame's part of the log). Thread-local: no locking.
 */
typedef struct mpt_hold mpt_hold;
struct mpt_hold {
    void (*Undo)(mpt_hold *hold); /* gives the state back on unwind; NULL: a free slot */
    void *Object;                 /* the state (a lock) */
    UCHAR Kind;                   /* the owner's: 0 while the state is being taken (Undo then gives back nothing) */
    BOOLEAN Raised;               /* the shim raised the IRQL for this hold, from OldIrql */
    KIRQL OldIrql;
};

/* The most holds one thread can have at once (every recursive read is one). */
#define MPT_MAX_HOLDS 64

/* Logs a hold of Kind 0 on Object, with Undo. A bug check (0x0F, SPIN_LOCK_ALREADY_OWNED, P2 MPT_MAX_HOLDS) when
   the thread has MPT_MAX_HOLDS already: nothing is taken then. */
mpt_hold *mpt_hold_push(void *object, void (*undo)(mpt_hold *hold));

/* The thread's newest hold of Object with Kind, or NULL. */
mpt_hold *mpt_hold_find(const void *object, UCHAR kind);

/* Removes a hold the driver released. */
void mpt_hold_remove(mpt_hold *hold);

/* A routine the emulation does not implement: a bug check naming it (never a silent success). */
__attribute__((noreturn)) void mpt_unsupported(const char *routine);

/* Formats like the Windows kernel's DbgPrint into out (at most cap - 1 bytes and a terminator). mpt_format.c. */
void mpt_format(char *out, size_t cap, const char *format, va_list args);
