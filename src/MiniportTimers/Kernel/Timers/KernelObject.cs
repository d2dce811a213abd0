using MiniportTimers.Engine;

namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// What a Ke/Ex timer or DPC object binds to when initialized: the engine it runs on and where a bug check in its routine
/// goes (the host whose routine initialized it, or a <see cref="Ke.UseEngine"/> scope).
/// </summary>
public abstract class KernelObject
{
    internal TimerEngine? Engine { get; private set; }

    internal Action<BugCheckException>? FaultSink { get; private set; }

    /// <summary>The epoch of the host (or <see cref="Ke.UseEngine"/> scope) the object was initialized in: absolute due times and DPC system times use it.</summary>
    internal long SystemTimeAtEngineZero100ns { get; private set; } = KernelTime.DefaultSystemTimeAtEngineZero100ns;

    /// <summary>The options of the host the object was initialized in (null in a bare Ke.UseEngine scope): with its
    /// verifier on, the object's routines get the host's DPC watchdog.</summary>
    internal KernelHostOptions? HostOptions { get; private set; }

    internal void Bind(string routine)
    {
        Engine = KernelContext.CurrentEngine ?? throw new InvalidOperationException($"{routine}: no engine. Call it from a miniport routine of a host, or inside Ke.UseEngine(engine).");
        FaultSink = KernelContext.CurrentFaultSink;
        SystemTimeAtEngineZero100ns = KernelContext.CurrentSystemTimeAtEngineZero100ns;
        HostOptions = KernelContext.CurrentHostOptions;
    }

    internal TimerEngine RequireEngine(string routine) =>
        Engine ?? throw new InvalidOperationException($"{routine}: the object was never initialized.");

    /// <summary>Runs a routine of this object in DPC context; a bug check goes to the sink (or is lost with the engine's fault counter otherwise).</summary>
    internal void RunAtDispatch(Action body)
    {
        var engine = RequireEngine("callback");
        var options = HostOptions;
        // The DPC watchdog of the host the object belongs to, as for the host's own callbacks (issue 10, bug 8).
        var fault = KernelContext.Run(engine, KIRQL.DISPATCH_LEVEL, (body, engine, options, Routine: GetType().Name), static s =>
            Watchdog.DpcWatchdog.RunWatched(s.Routine, s.engine, s.options, s.body, static b => b()), FaultSink, options, SystemTimeAtEngineZero100ns);
        if (fault is not null)
        {
            if (FaultSink is { } sink)
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
