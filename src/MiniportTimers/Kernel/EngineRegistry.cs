using MiniportTimers.Engine;

namespace MiniportTimers.Kernel;

/// <summary>
/// The engines a process has, so KeFlushQueuedDpcs can wait on all of them (Windows flushes every processor's DPC
/// queue). Engines join when a host is created on them; weak references, so an unused engine is still collected.
/// </summary>
internal static class EngineRegistry
{
    private static readonly object Gate = new();
    private static readonly List<WeakReference<TimerEngine>> Engines = [];

    public static void Add(TimerEngine engine)
    {
        lock (Gate)
        {
            Engines.RemoveAll(w => !w.TryGetTarget(out var e) || ReferenceEquals(e, engine));
            Engines.Add(new WeakReference<TimerEngine>(engine));
        }
    }

    public static void FlushAll()
    {
        List<TimerEngine> live;
        lock (Gate)
        {
            live = [.. Engines.Select(w => w.TryGetTarget(out var e) ? e : null).OfType<TimerEngine>()];
        }

        foreach (var engine in live)
        {
            engine.FlushDispatched();
        }
    }
}
