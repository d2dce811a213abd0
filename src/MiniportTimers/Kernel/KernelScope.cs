using MiniportTimers.Engine;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Kernel.Watchdog;

namespace MiniportTimers.Kernel;

/// <summary>
/// What kernel code running on a thread belongs to: the engine its Ke/Ex objects bind to, where a bug check in their
/// routines goes, the host's options (verifier, DPC watchdog), the host's one epoch, and the stuck-callback watch of the
/// adapter whose routine runs. A host builds one per adapter (and one for its driver-level code) once; a Ke/Ex object
/// keeps the scope it was initialized in. Immutable, so entering a scope is one write to the thread's frame and no allocation.
/// </summary>
internal sealed class KernelScope(TimerEngine engine, Action<BugCheckException>? faultSink, KernelHostOptions? hostOptions, long systemTimeAtEngineZero100ns, ICallbackWatch? watch, Action<string, string>? findingSink = null, ITimerRecords? timerRecords = null, string? track = null)
{
    /// <summary>The engine Ke/Ex objects initialized in this scope run on (KeFlushQueuedDpcs flushes it).</summary>
    public TimerEngine Engine { get; } = engine;

    /// <summary>Where a bug check in a routine of an object of this scope goes (null: the engine's CallbackFaulted).</summary>
    public Action<BugCheckException>? FaultSink { get; } = faultSink;

    /// <summary>The host's options (null in a bare <see cref="Ke.UseEngine"/> scope): with its verifier on, routines get the DPC watchdog.</summary>
    public KernelHostOptions? HostOptions { get; } = hostOptions;

    /// <summary>System time (100 ns since 1601) at engine time 0: the host's one epoch.</summary>
    public long SystemTimeAtEngineZero100ns { get; } = systemTimeAtEngineZero100ns;

    /// <summary>The stuck-callback watch of the adapter the scope belongs to (null: only the return check).</summary>
    public ICallbackWatch? Watch { get; } = watch;

    /// <summary>Where a verifier finding of a Ke/Ex object of this scope goes (rule, detail), with the verifier off (<see cref="VerifierDecision.InKernel"/>); null: nowhere.</summary>
    public Action<string, string>? FindingSink { get; } = findingSink;

    /// <summary>Where Ke/Ex timers initialized in this scope record their rows and trace events (the host's; nothing in a bare scope).</summary>
    public ITimerRecords TimerRecords { get; } = timerRecords ?? NullTimerRecords.Instance;

    /// <summary>The trace track and report "adapter" of the scope's Ke/Ex timers: the adapter's name, or the host's driver track.</summary>
    public string Track { get; } = track ?? "driver";

    /// <summary>A host's scope: its options carry the epoch; its timers record in <paramref name="timerRecords"/> under <paramref name="track"/>; its verifier-off findings go to <paramref name="findingSink"/>.</summary>
    public static KernelScope ForHost(TimerEngine engine, KernelHostOptions options, Action<BugCheckException>? faultSink, ICallbackWatch? watch, ITimerRecords timerRecords, string track, Action<string, string>? findingSink = null) =>
        new(engine, faultSink, options, options.SystemTimeAtEngineZero100ns, watch, findingSink, timerRecords, track);
}
