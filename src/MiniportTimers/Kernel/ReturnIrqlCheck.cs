namespace MiniportTimers.Kernel;

/// <summary>Which check the kernel makes when a routine it called returns (<see cref="ReturnIrqlCheck"/>).</summary>
internal enum ReturnIrqlRule
{
    /// <summary>None: a miniport handler a port driver calls (Windows checks its IRQL only statically: IrqlReturn, SpChangeIrql).</summary>
    None,

    /// <summary>A DPC or timer routine: the DPC retire loop bug-checks unless it returns at the IRQL it was called at.</summary>
    DeferredRoutine,

    /// <summary>A work item's routine: the worker thread bug-checks when it returns at DISPATCH_LEVEL or above.</summary>
    WorkerRoutine,
}

/// <summary>
/// The kernel's check at the return of a routine it called (issue 21 §5). Windows stops the machine when a DPC routine
/// (a KDPC's, so every timer callback and port DPC built on one) returns at another IRQL than it was called at:
/// IRQL_NOT_GREATER_OR_EQUAL (0x09), P1 the IRQL it returned at, P2 the IRQL it was called at, P3/P4 0 here (a managed
/// routine has no address); and when a work item's routine returns to its worker thread at DISPATCH_LEVEL or above:
/// WORKER_THREAD_RETURNED_AT_BAD_IRQL (0xE1), P2 the IRQL. These are kernel checks, made with the verifier on or off.
/// The bug check is raised in the routine's kernel context, so the host puts the thread back and stops the adapter as
/// for any fault (docs/conformance.md, "A callback returning at the wrong IRQL").
/// </summary>
internal static class ReturnIrqlCheck
{
    /// <summary>Raises the bug check of <paramref name="rule"/> if the thread's IRQL now breaks it.</summary>
    /// <param name="rule">The check.</param>
    /// <param name="routine">The routine, for the detail ("TimerCallback").</param>
    /// <param name="calledAt">The IRQL the routine was called at (with the port locks the host took for it).</param>
    /// <exception cref="BugCheckException">0x09 or 0xE1 as above.</exception>
    public static void AtReturn(ReturnIrqlRule rule, string routine, KIRQL calledAt) => AtReturn(rule, routine, calledAt, IrqlState.Current);

    /// <summary><see cref="AtReturn(ReturnIrqlRule, string, KIRQL)"/> with the IRQL the routine returned at, read by the caller from its thread's frame.</summary>
    /// <param name="rule">The check.</param>
    /// <param name="routine">The routine, for the detail ("TimerCallback").</param>
    /// <param name="calledAt">The IRQL the routine was called at (with the port locks the host took for it).</param>
    /// <param name="returnedAt">The calling thread's IRQL now.</param>
    /// <exception cref="BugCheckException">0x09 or 0xE1 as above.</exception>
    public static void AtReturn(ReturnIrqlRule rule, string routine, KIRQL calledAt, KIRQL returnedAt)
    {
        if (rule == ReturnIrqlRule.DeferredRoutine && returnedAt != calledAt)
        {
            throw BugCheck.Create(
                BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL,
                (ulong)returnedAt,
                (ulong)calledAt,
                0,
                0,
                $"{routine} returned at {returnedAt.IrqlName()}; it was called at {calledAt.IrqlName()} and must return at it (the DPC retire loop checks the IRQL after every DPC routine)");
        }

        if (rule == ReturnIrqlRule.WorkerRoutine && returnedAt >= KIRQL.DISPATCH_LEVEL)
        {
            throw BugCheck.Create(
                BugCheckCodes.WORKER_THREAD_RETURNED_AT_BAD_IRQL,
                0,
                (ulong)returnedAt,
                0,
                0,
                $"{routine} returned to its worker thread at {returnedAt.IrqlName()}; a work item's routine must return below DISPATCH_LEVEL");
        }
    }
}
