using MiniportTimers.Engine;

namespace MiniportTimers.Kernel;

/// <summary>
/// Runs miniport code in a given kernel context (an IRQL, a <see cref="KernelScope"/>) and turns whatever goes wrong into
/// a bug check: a <see cref="BugCheckException"/> as thrown, any other exception as KMODE_EXCEPTION_NOT_HANDLED (0x1E).
/// On the way out the thread is back at its entry IRQL and scope and holds no spin lock it did not hold on entry,
/// whatever the code did.
/// </summary>
/// <remarks>One thread-static: the scope the calling thread runs in (null outside any host routine or Ke.UseEngine).</remarks>
internal static class KernelContext
{
    [ThreadStatic]
    private static KernelScope? t_scope;

    /// <summary>The scope of the code the calling thread runs, if any.</summary>
    public static KernelScope? Current => t_scope;

    /// <summary>The engine of the host whose miniport code the calling thread runs, if any (KeFlushQueuedDpcs flushes it; Ke/Ex timers bind to it).</summary>
    public static TimerEngine? CurrentEngine => t_scope?.Engine;

    /// <summary>The epoch of the host whose code the calling thread runs, or the default.</summary>
    public static long CurrentSystemTimeAtEngineZero100ns => t_scope?.SystemTimeAtEngineZero100ns ?? KernelTime.DefaultSystemTimeAtEngineZero100ns;

    /// <summary>Runs <paramref name="body"/> at <paramref name="irql"/> in <paramref name="scope"/>.</summary>
    /// <returns>The bug check the body raised, or null.</returns>
    public static BugCheckException? Run<TState>(KernelScope scope, KIRQL irql, TState state, Action<TState> body)
    {
        var outer = t_scope;
        t_scope = scope;
        try
        {
            return Run(irql, state, body);
        }
        finally
        {
            t_scope = outer;
        }
    }

    /// <summary>Enters <paramref name="scope"/> on the calling thread until the result is disposed: <see cref="Ke.UseEngine"/>.</summary>
    internal static IDisposable Bind(KernelScope scope)
    {
        var outer = t_scope;
        t_scope = scope;
        return new Restore(outer);
    }

    private sealed class Restore(KernelScope? outer) : IDisposable
    {
        public void Dispose() => t_scope = outer;
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
            fault = BugCheck.Unhandled(ex, $"{ex.GetType().Name}: {ex.Message}");
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
