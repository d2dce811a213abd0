namespace MiniportTimers.Hosting.Routines;

/// <summary>
/// Per thread: which adapter's miniport routine the thread is running, if any (the one thread-static of the hosting
/// layer; both stacks read it: Storport's lock rules, NDIS's "allocated inside an adapter's handler", completions made
/// inside a timer callback). Set by <see cref="RoutineRunner"/> around every call into the miniport; routines nest (a DPC
/// inside nothing, a timer callback inside a virtual engine's Advance inside a test), so each entry restores the outer one.
/// </summary>
internal static class CurrentRoutine
{
    [ThreadStatic]
    private static Frame t_frame;

    /// <summary>The adapter whose routine the calling thread runs (null: none, or a driver-level routine).</summary>
    public static HostedAdapter? Adapter => t_frame.Adapter;

    /// <summary>The routine the calling thread runs (null: none).</summary>
    public static HostedRoutine? Routine => t_frame.Routine;

    /// <summary>Enters a routine; dispose the result to restore the previous one.</summary>
    public static Scope Enter(HostedAdapter? adapter, HostedRoutine routine)
    {
        var scope = new Scope(t_frame);
        t_frame = new Frame(adapter, routine);
        return scope;
    }

    /// <summary>Restores the routine that was current before <see cref="Enter"/>.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly Frame _outer;

        internal Scope(Frame outer) => _outer = outer;

        /// <summary>Restores the outer routine.</summary>
        public void Dispose() => t_frame = _outer;
    }

    internal readonly record struct Frame(HostedAdapter? Adapter, HostedRoutine? Routine);
}
