using MiniportTimers.Engine;

namespace MiniportTimers.Kernel;

/// <summary>
/// The IRQL routines of the kernel model, with the names of wdm.h, for <c>using static MiniportTimers.Kernel.Ke;</c>.
/// Each thread has its own current IRQL (an emulated processor); it starts at PASSIVE_LEVEL.
/// </summary>
/// <remarks>Thread safety: every routine acts on the calling thread only.</remarks>
public static partial class Ke
{
    /// <summary>Returns the calling thread's current IRQL. Callable at any IRQL. (KeGetCurrentIrql)</summary>
    public static KIRQL KeGetCurrentIrql() => IrqlState.Current;

    /// <summary>
    /// Raises the calling thread's IRQL to <paramref name="NewIrql"/> and returns the previous level in <paramref name="OldIrql"/>.
    /// (KeRaiseIrql, wdm.h)
    /// </summary>
    /// <exception cref="BugCheckException">IRQL_NOT_GREATER_OR_EQUAL (0x09) when <paramref name="NewIrql"/> is below the current IRQL.</exception>
    public static void KeRaiseIrql(KIRQL NewIrql, out KIRQL OldIrql)
    {
        OldIrql = IrqlState.Current;
        if (NewIrql < OldIrql)
        {
            throw BugCheck.Create(BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, (ulong)OldIrql, (ulong)NewIrql, 0, 0, $"KeRaiseIrql to {NewIrql.IrqlName()} from {OldIrql.IrqlName()}");
        }

        IrqlState.Set(NewIrql);
    }

    /// <summary>Raises the calling thread to DISPATCH_LEVEL and returns the previous IRQL. (KeRaiseIrqlToDpcLevel)</summary>
    /// <exception cref="BugCheckException">IRQL_NOT_GREATER_OR_EQUAL (0x09) when the thread is above DISPATCH_LEVEL.</exception>
    public static KIRQL KeRaiseIrqlToDpcLevel()
    {
        KeRaiseIrql(KIRQL.DISPATCH_LEVEL, out var old);
        return old;
    }

    /// <summary>
    /// Lowers the calling thread's IRQL to <paramref name="NewIrql"/>. Requests recorded above DISPATCH_LEVEL (for example
    /// StorPortRequestTimer from HwStorInterrupt) are applied when the level drops to DISPATCH_LEVEL or below. (KeLowerIrql)
    /// </summary>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) when <paramref name="NewIrql"/> is above the current IRQL.</exception>
    public static void KeLowerIrql(KIRQL NewIrql)
    {
        var current = IrqlState.Current;
        if (NewIrql > current)
        {
            throw BugCheck.Create(BugCheckCodes.IRQL_NOT_LESS_OR_EQUAL, (ulong)NewIrql, (ulong)current, 0, 0, $"KeLowerIrql to {NewIrql.IrqlName()} from {current.IrqlName()}");
        }

        IrqlState.Set(NewIrql);
    }

    /// <summary>
    /// Returns after every timer callback and DPC that was due at the time of the call has finished (KeFlushQueuedDpcs).
    /// Windows flushes every processor's queue; here that is the engine of the host whose routine calls it, or every
    /// engine when called outside any miniport routine. Call at PASSIVE_LEVEL. From a callback on a dispatch thread it
    /// cannot wait for the work queued behind it and returns at once.
    /// </summary>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above PASSIVE_LEVEL.</exception>
    public static void KeFlushQueuedDpcs()
    {
        RequireIrqlAtMost(KIRQL.PASSIVE_LEVEL, nameof(KeFlushQueuedDpcs));
        if (KernelContext.CurrentEngine is { } engine)
        {
            engine.FlushDispatched();
            return;
        }

        EngineRegistry.FlushAll();
    }

    /// <summary>
    /// Raises IRQL_NOT_LESS_OR_EQUAL (0x0A; P2 = the current IRQL, P3 = the highest IRQL the routine allows) when the
    /// calling thread is above <paramref name="maximum"/>: the check every DDI with an IRQL contract makes.
    /// </summary>
    /// <exception cref="BugCheckException">The thread is above <paramref name="maximum"/>.</exception>
    internal static void RequireIrqlAtMost(KIRQL maximum, string routine)
    {
        var current = IrqlState.Current;
        if (current > maximum)
        {
            throw BugCheck.Create(BugCheckCodes.IRQL_NOT_LESS_OR_EQUAL, 0, (ulong)current, (ulong)maximum, 0, $"{routine} called at {current.IrqlName()}; it allows at most {maximum.IrqlName()}");
        }
    }

    /// <summary>True when <paramref name="irql"/> is a device level (3 to 12 on x64).</summary>
    public static bool IsDeviceIrql(KIRQL irql) => irql > KIRQL.DISPATCH_LEVEL && irql <= KIRQL.SYNCH_LEVEL;
}
