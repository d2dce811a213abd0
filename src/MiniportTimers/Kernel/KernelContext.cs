using MiniportTimers.Engine;

namespace MiniportTimers.Kernel;

/// <summary>
/// Runs miniport code in a given kernel context (an IRQL) and turns whatever goes wrong into a bug check: a
/// <see cref="BugCheckException"/> as thrown, any other exception as KMODE_EXCEPTION_NOT_HANDLED (0x1E). On the way out
/// the thread is back at its entry IRQL and holds no spin lock it did not hold on entry, whatever the code did.
/// </summary>
internal static class KernelContext
{
    [ThreadStatic]
    private static TimerEngine? t_engine;

    [ThreadStatic]
    private static Action<BugCheckException>? t_faultSink;

    [ThreadStatic]
    private static long? t_systemTimeAtEngineZero100ns;

    [ThreadStatic]
    private static KernelHostOptions? t_hostOptions;

    /// <summary>The options of the host whose code the calling thread runs (null in a bare <see cref="Ke.UseEngine"/> scope):
    /// Ke/Ex objects initialized there take the host's verifier and DPC watchdog.</summary>
    public static KernelHostOptions? CurrentHostOptions => t_hostOptions;

    /// <summary>The epoch of the host whose code the calling thread runs (its options' SystemTimeAtEngineZero100ns), or the default.</summary>
    public static long CurrentSystemTimeAtEngineZero100ns => t_systemTimeAtEngineZero100ns ?? KernelTime.DefaultSystemTimeAtEngineZero100ns;

    /// <summary>The engine of the host whose miniport code the calling thread runs, if any (KeFlushQueuedDpcs flushes it; Ke/Ex timers bind to it).</summary>
    public static TimerEngine? CurrentEngine => t_engine;

    /// <summary>Where a bug check in a Ke/Ex timer or DPC callback goes: the host that was running when the object was initialized.</summary>
    public static Action<BugCheckException>? CurrentFaultSink => t_faultSink;

    /// <summary>Runs <paramref name="body"/> at <paramref name="irql"/> as code of a host on <paramref name="engine"/>.</summary>
    /// <returns>The bug check the body raised, or null.</returns>
    /// <param name="engine">The host's engine.</param>
    /// <param name="irql">The IRQL to run at.</param>
    /// <param name="state">Handed to <paramref name="body"/>.</param>
    /// <param name="body">The miniport code.</param>
    /// <param name="faultSink">Where a bug check in a Ke/Ex object initialized meanwhile goes (null: keep the calling context's).</param>
    /// <param name="hostOptions">The host's options: its epoch, verifier and DPC watchdog (null: keep the calling context's).</param>
    /// <param name="systemTimeAtEngineZero100ns">An epoch that overrides the options' (a Ke/Ex object's own).</param>
    public static BugCheckException? Run<TState>(TimerEngine engine, KIRQL irql, TState state, Action<TState> body, Action<BugCheckException>? faultSink = null, KernelHostOptions? hostOptions = null, long? systemTimeAtEngineZero100ns = null)
    {
        var (outerEngine, outerSink, outerEpoch, outerOptions) = (t_engine, t_faultSink, t_systemTimeAtEngineZero100ns, t_hostOptions);
        (t_engine, t_faultSink) = (engine, faultSink ?? outerSink);
        (t_systemTimeAtEngineZero100ns, t_hostOptions) = (systemTimeAtEngineZero100ns ?? hostOptions?.SystemTimeAtEngineZero100ns ?? outerEpoch, hostOptions ?? outerOptions);
        try
        {
            return Run(irql, state, body);
        }
        finally
        {
            (t_engine, t_faultSink, t_systemTimeAtEngineZero100ns, t_hostOptions) = (outerEngine, outerSink, outerEpoch, outerOptions);
        }
    }

    /// <summary>Binds the calling thread to an engine (and a fault sink) until the result is disposed: <see cref="Ke.UseEngine"/>.</summary>
    internal static IDisposable Bind(TimerEngine engine, Action<BugCheckException>? faultSink, long? systemTimeAtEngineZero100ns = null)
    {
        var (outerEngine, outerSink, outerEpoch, outerOptions) = (t_engine, t_faultSink, t_systemTimeAtEngineZero100ns, t_hostOptions);
        (t_engine, t_faultSink, t_systemTimeAtEngineZero100ns, t_hostOptions) = (engine, faultSink, systemTimeAtEngineZero100ns, null);
        return new Restore(outerEngine, outerSink, outerEpoch, outerOptions);
    }

    private sealed class Restore(TimerEngine? engine, Action<BugCheckException>? sink, long? epoch, KernelHostOptions? options) : IDisposable
    {
        public void Dispose() => (t_engine, t_faultSink, t_systemTimeAtEngineZero100ns, t_hostOptions) = (engine, sink, epoch, options);
    }

    /// <summary>Runs <paramref name="body"/> at <paramref name="irql"/> (raised from the current level).</summary>
    /// <returns>The bug check the body raised, or null.</returns>
    public static BugCheckException? Run<TState>(KIRQL irql, TState state, Action<TState> body)
    {
        var entryIrql = IrqlState.Current;
        var held = IrqlState.HeldLocks;
        var entryHeld = held.Count;
        BugCheckException? fault = null;
        try
        {
            if (irql > entryIrql)
            {
                IrqlState.Set(irql);
            }

            body(state);
        }
        catch (BugCheckException bugCheck)
        {
            fault = bugCheck;
        }
        catch (Exception ex)
        {
            fault = new BugCheckException(BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, BugCheckCodes.ClrExceptionCode, 0, 0, 0, $"{ex.GetType().Name}: {ex.Message}", ex);
        }
        finally
        {
            // Locks the code left held would block every other thread of the adapter forever: give them back.
            for (var i = held.Count - 1; i >= entryHeld; i--)
            {
                held[i].ForceRelease();
            }

            IrqlState.Set(entryIrql);
        }

        return fault;
    }
}
