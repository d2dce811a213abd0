using MiniportTimers.Engine;

namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// What a Ke/Ex timer or DPC object binds to when initialized: the kernel scope of the code that initialized it (the
/// host adapter whose routine ran, or a <see cref="Ke.UseEngine"/> scope): its engine, where a bug check in its routine
/// goes, the host's verifier and DPC watchdog, and the host's epoch.
/// </summary>
public abstract class KernelObject
{
    private protected KernelObject()
    {
    }

    internal KernelScope? Scope { get; private set; }

    internal TimerEngine? Engine => Scope?.Engine;

    /// <summary>The epoch of the scope the object was initialized in: absolute due times and DPC system times use it.</summary>
    internal long SystemTimeAtEngineZero100ns => Scope?.SystemTimeAtEngineZero100ns ?? KernelTime.DefaultSystemTimeAtEngineZero100ns;

    /// <summary>Binds to <paramref name="scope"/>, for an object a component of the host initializes on the driver's behalf (NDIS's KTIMER and KDPC), where the current scope may be another's.</summary>
    internal void BindTo(KernelScope scope) => Scope = scope;

    internal void Bind(string routine) =>
        Scope = KernelContext.Current ?? throw new InvalidOperationException($"{routine}: no engine. Call it from a miniport routine of a host, or inside Ke.UseEngine(engine).");

    /// <summary>
    /// The adapter whose routine initialized the object was released while the object stays (storage the host cannot see
    /// freed, a driver's global): from now on its routine runs in <paramref name="scope"/>, the host's driver-level scope,
    /// where a bug check is recorded under the driver, and the object no longer keeps the adapter alive (issue 21 §4).
    /// </summary>
    internal void Rebind(KernelScope scope) => Scope = scope;

    internal TimerEngine RequireEngine(string routine) =>
        Engine ?? throw new InvalidOperationException($"{routine}: the object was never initialized.");

    /// <summary>
    /// Runs a routine of this object in DPC context in its scope, under the host's DPC watchdogs (the return check and the
    /// stuck-callback watch) and the kernel's IRQL check at its return (<see cref="ReturnIrqlCheck"/>, 0x09); a bug check
    /// goes to the scope's sink (or, without one, to the engine's fault counter).
    /// </summary>
    internal void RunAtDispatch<TState>(in TState state, StateAction<TState> body)
    {
        var scope = Scope ?? throw new InvalidOperationException("callback: the object was never initialized.");
        var fault = KernelContext.Run(scope, KIRQL.DISPATCH_LEVEL, (state, body, Routine: GetType().Name, scope), static (in s) =>
        {
            var calledAt = IrqlState.Current;
            Watchdog.DpcWatchdog.RunWatched(s.Routine, s.scope, in s.state, s.body);
            ReturnIrqlCheck.AtReturn(ReturnIrqlRule.DeferredRoutine, s.Routine, calledAt);
        });
        if (fault is not null)
        {
            if (scope.FaultSink is { } sink)
            {
                sink(fault);
            }
            else
            {
                throw fault; // the engine counts it in CallbackFaults and raises CallbackFaulted
            }
        }
    }
}
