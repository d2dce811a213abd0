using System.Diagnostics;
using MiniportTimers.Engine;

namespace MiniportTimers.Kernel;

/// <summary>
/// Runs miniport code in a given kernel context (an IRQL, a <see cref="KernelScope"/>) and turns whatever goes wrong into
/// a bug check: a <see cref="BugCheckException"/> as thrown, any other exception as KMODE_EXCEPTION_NOT_HANDLED (0x1E).
/// On the way out the thread is back at its entry IRQL and scope and holds no spin lock it did not hold on entry,
/// whatever the code did.
/// </summary>
/// <remarks>The scope the calling thread runs in is the <see cref="ThreadFrame.Scope"/> slot of its frame (null outside any host routine or Ke.UseEngine).</remarks>
internal static class KernelContext
{
    /// <summary>The scope of the code the calling thread runs, if any.</summary>
    public static KernelScope? Current => ThreadFrame.Current.Scope;

    /// <summary>The engine of the host whose miniport code the calling thread runs, if any (KeFlushQueuedDpcs flushes it; Ke/Ex timers bind to it).</summary>
    public static TimerEngine? CurrentEngine => ThreadFrame.Current.Scope?.Engine;

    /// <summary>The epoch of the host whose code the calling thread runs, or the default.</summary>
    public static long CurrentSystemTimeAtEngineZero100ns => ThreadFrame.Current.Scope?.SystemTimeAtEngineZero100ns ?? KernelTime.DefaultSystemTimeAtEngineZero100ns;

    /// <summary>Runs <paramref name="body"/> at <paramref name="irql"/> in <paramref name="scope"/>.</summary>
    /// <returns>The bug check the body raised, or null.</returns>
    public static BugCheckException? Run<TState>(KernelScope scope, KIRQL irql, in TState state, StateAction<TState> body) =>
        Run(ThreadFrame.Current, scope, irql, in state, body);

    /// <summary>Runs <paramref name="body"/> at <paramref name="irql"/> in <paramref name="scope"/>, on the calling thread's <paramref name="frame"/>.</summary>
    /// <returns>The bug check the body raised, or null.</returns>
    public static BugCheckException? Run<TState>(ThreadFrame frame, KernelScope scope, KIRQL irql, in TState state, StateAction<TState> body)
    {
        Debug.Assert(ReferenceEquals(frame, ThreadFrame.Current), "the calling thread's own frame");
        var outer = frame.Scope;
        frame.Scope = scope;
        try
        {
            return Run(frame, irql, in state, body);
        }
        finally
        {
            frame.Scope = outer;
        }
    }

    /// <summary>Enters <paramref name="scope"/> on the calling thread until the result is disposed: <see cref="Ke.UseEngine"/>.</summary>
    internal static IDisposable Bind(KernelScope scope)
    {
        var frame = ThreadFrame.Current;
        var outer = frame.Scope;
        frame.Scope = scope;
        return new Restore(frame, outer);
    }

    private sealed class Restore(ThreadFrame frame, KernelScope? outer) : IDisposable
    {
        public void Dispose() => frame.Scope = outer;
    }

    /// <summary>Runs <paramref name="body"/> at <paramref name="irql"/> (raised from the current level).</summary>
    /// <returns>The bug check the body raised, or null.</returns>
    public static BugCheckException? Run<TState>(KIRQL irql, in TState state, StateAction<TState> body) => Run(ThreadFrame.Current, irql, in state, body);

    private static BugCheckException? Run<TState>(ThreadFrame frame, KIRQL irql, in TState state, StateAction<TState> body)
    {
        var entryIrql = frame.Irql;
        var held = frame.HeldLocks;
        var entryHeld = held.Count;
        BugCheckException? fault = null;
        try
        {
            if (irql > entryIrql)
            {
                frame.SetIrql(irql);
            }

            body(in state);
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

            frame.SetIrql(entryIrql);
        }

        return fault;
    }
}
