using MiniportTimers.Kernel;

namespace MiniportTimers.Hosting.Routines;

/// <summary>
/// One kind of miniport routine a host calls (HwStorStartIo, MiniportPause, a timer callback, ...): its name for reports,
/// its code in the stack's own enumeration, whether it is a DPC-level callback that the DPC watchdogs watch, and the
/// kernel's check at its return (<see cref="ReturnRule"/>). Each stack creates its routines once (Storport from
/// <c>MiniportRoutine</c>, NDIS in <c>NdisRoutines</c>); entering one is a reference write, no allocation.
/// </summary>
internal sealed class HostedRoutine(string name, int code, bool isDpcLevelCallback, bool isWorkerRoutine = false) : IFrameRoutine
{
    /// <summary>The routine's name in reports and bug checks ("TimerCallback", "MiniportResetEx").</summary>
    public string Name { get; } = name;

    /// <summary>The routine's value in its stack's enumeration.</summary>
    public int Code { get; } = code;

    /// <summary>True for timer callbacks and DPC routines: the DPC watchdog (return check and stuck-callback watch) applies.</summary>
    public bool IsDpcLevelCallback { get; } = isDpcLevelCallback;

    /// <summary>
    /// The kernel's check at the routine's return: a DPC-level callback must return at the IRQL it was called at (0x09),
    /// a work item's routine below DISPATCH_LEVEL (0xE1); other routines are not checked (<see cref="ReturnIrqlCheck"/>).
    /// </summary>
    public ReturnIrqlRule ReturnRule { get; } = isDpcLevelCallback ? ReturnIrqlRule.DeferredRoutine : isWorkerRoutine ? ReturnIrqlRule.WorkerRoutine : ReturnIrqlRule.None;

    /// <inheritdoc/>
    public override string ToString() => Name;
}
