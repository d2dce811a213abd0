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

    /// <summary>The engine of the host whose miniport code the calling thread runs, if any (KeFlushQueuedDpcs flushes it).</summary>
    public static TimerEngine? CurrentEngine => t_engine;

    /// <summary>Runs <paramref name="body"/> at <paramref name="irql"/> as code of a host on <paramref name="engine"/>.</summary>
    /// <returns>The bug check the body raised, or null.</returns>
    public static BugCheckException? Run<TState>(TimerEngine engine, KIRQL irql, TState state, Action<TState> body)
    {
        var outer = t_engine;
        t_engine = engine;
        try
        {
            return Run(irql, state, body);
        }
        finally
        {
            t_engine = outer;
        }
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
