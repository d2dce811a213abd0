using MiniportTimers.Engine;
using MiniportTimers.Hosting.Routines;
using MiniportTimers.Hosting.Watchdog;
using MiniportTimers.Kernel;

namespace MiniportTimers.Hosting;

/// <summary>
/// What every adapter (Storport's <c>StorportAdapter</c>, NDIS's <c>NdisMiniportAdapter</c>) is to its host: a name, a
/// kernel scope its routines and the Ke/Ex objects they initialize run in, a stuck-callback watch, the one routine runner
/// (<see cref="RoutineRunner"/>) every call into its miniport goes through, and one fault path: a bug check is recorded
/// and traced, then the stack stops the adapter (<see cref="OnFaulted"/>).
/// </summary>
/// <remarks>Thread safety: all members are thread-safe.</remarks>
public abstract class HostedAdapter : IFrameAdapter
{
    private protected HostedAdapter(MiniportHost host, string name)
    {
        HostCore = host;
        Name = name;
        Watch = new CallbackWatch(host, this);
        Scope = KernelScope.ForHost(host.Engine, host.HostOptions, KernelObjectFault, Watch, host.TimerRecords, name, (rule, finding) => host.Diagnostics.Add(new Diagnostics.VerifierFinding(name, rule, finding)));
        _processor = host.NextAdapterProcessor();
    }

    private int _processor;

    /// <summary>
    /// The adapter's chosen processor: the engine dispatcher its timers fire on, 0 to the engine's
    /// <see cref="TimerEngine.DispatcherCount"/> - 1. Adapters are spread round-robin as they are created (all 0 on an
    /// engine with one dispatcher, and on a virtual one); set it to choose, as a miniport chooses the processor of its
    /// DPCs. Takes effect for the timers armed from then on (a pending one stays where it is filed).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not below the engine's dispatcher count.</exception>
    /// <remarks>Thread safety: safe from any thread. IRQL: any (it only records the choice; Windows has no DDI for it, a
    /// miniport names processors through KeSetTargetProcessorDpc and MiniportInterrupt's TargetProcessors).</remarks>
    public int Processor
    {
        get => Volatile.Read(ref _processor);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(value, HostCore.Engine.DispatcherCount);
            Volatile.Write(ref _processor, value);
        }
    }

    /// <summary>The adapter's name on its host ("adapter0", "nic1", ...): the track of its trace and the "adapter" of its reports.</summary>
    public string Name { get; }

    /// <summary>The host, untyped.</summary>
    internal MiniportHost HostCore { get; }

    /// <summary>The scope the adapter's routines run in.</summary>
    internal KernelScope Scope { get; }

    /// <summary>The adapter's stuck-callback watch.</summary>
    internal CallbackWatch Watch { get; }

    /// <summary>True while the adapter may run miniport code and arm timers.</summary>
    internal abstract bool IsLive { get; }

    /// <summary>The routine a bug check in a Ke/Ex object the adapter's routines initialized is reported under.</summary>
    private protected abstract HostedRoutine KernelObjectRoutine { get; }

    /// <summary>The routine a timer callback of this adapter runs as, and the port locks it holds.</summary>
    internal abstract (HostedRoutine Routine, RoutineLocks Locks) TimerCallbackRoutine { get; }

    /// <summary>Stops the adapter, then records <paramref name="bugCheck"/> raised in <paramref name="routine"/>: whoever sees the report sees the adapter stopped.</summary>
    internal void Fault(string routine, BugCheckException bugCheck)
    {
        OnFaulted();
        HostCore.ReportBugCheck(Name, routine, bugCheck);
    }

    /// <summary>Takes the port locks of a routine (in the documented order) on the calling thread's <paramref name="frame"/>. Only stacks with port locks override it.</summary>
    internal virtual LockTicket AcquireRoutineLocks(ThreadFrame frame, RoutineLocks locks) => default;

    /// <summary>Releases what <see cref="AcquireRoutineLocks"/> took (those still held: a bug check may have released them).</summary>
    internal virtual void ReleaseRoutineLocks(ThreadFrame frame, HostedRoutine routine, RoutineLocks locks, LockTicket ticket)
    {
    }

    /// <summary>Runs one expiry of a timer of this adapter as its timer callback routine, if the adapter is live.</summary>
    internal void RunTimerExpiry(Kernel.Timers.TimerCore timer, in TimerFiring firing)
    {
        if (!IsLive)
        {
            return;
        }

        var (routine, locks) = TimerCallbackRoutine;
        Run(routine, KIRQL.DISPATCH_LEVEL, locks, (timer, firing), static (in s) => s.timer.InvokeIfCurrent(s.firing));
    }

    /// <summary>Calls into the miniport through the one runner; a bug check stops the adapter.</summary>
    /// <returns>False when the routine raised a bug check.</returns>
    private protected bool Run<TState>(HostedRoutine routine, KIRQL irql, RoutineLocks locks, in TState state, StateAction<TState> body)
    {
        if (RoutineRunner.Run(Scope, this, routine, irql, locks, in state, body) is not { } fault)
        {
            return true;
        }

        Fault(routine.Name, fault);
        return false;
    }

    /// <summary>
    /// The teardown rule, once for both stacks: a timer still queued when the adapter goes away (Windows frees the memory it
    /// lives in next) is TIMER_OR_DPC_INVALID (0xC7) with the verifier, recorded under <paramref name="routine"/>, or a
    /// finding under <paramref name="rule"/> without it. The caller cancels the timer.
    /// </summary>
    private protected void ReportQueuedAtTeardown(string routine, string kind, string when, Misuse rule) =>
        HostCore.TeardownMisuse(Name, routine, rule, $"a {kind} timer was still queued {when}", $"A {kind} timer was still queued {when}; the host cancelled it.");

    /// <summary>The stack's part of a fault: move to its faulted state (one way) and cancel every timer.</summary>
    private protected abstract void OnFaulted();

    private void KernelObjectFault(BugCheckException bugCheck) => Fault(KernelObjectRoutine.Name, bugCheck);
}
