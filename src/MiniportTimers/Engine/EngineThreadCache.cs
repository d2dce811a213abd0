namespace MiniportTimers.Engine;

/// <summary>
/// The engine's per-thread hot-path cache: one thread-static value holding what the arm and cancel paths keep per
/// thread so that arming threads share no cache line. It is the second of the two thread-static fields the library
/// allows (docs/architecture.md, "Per-thread state: one frame"; the first is the kernel's <c>ThreadFrame</c>, which the
/// Engine layer cannot see). A value type: reading it costs one thread-static access and no allocation.
/// </summary>
internal static class EngineThreadCache
{
    [ThreadStatic]
    private static State t_state;

    /// <summary>The calling thread's cache. The reference is valid on the calling thread only.</summary>
    public static ref State Current => ref t_state;

    /// <summary>What one thread keeps.</summary>
    internal struct State
    {
        /// <summary>The thread's <see cref="StripedCounter"/> slot + 1 (0 = not yet assigned); negative when the slot is shared (atomic adds).</summary>
        public int StripeSlot;

        /// <summary>The thread's next turn in dealing idle, unpinned timers over an engine's queues (TimerEngine, "Several dispatchers").</summary>
        public uint RoutingTurn;
    }
}
