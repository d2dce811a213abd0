namespace MiniportTimers.Storport;

/// <summary>Per thread: which adapter's miniport routine the thread is running, if any. Set by the host around every call into the miniport.</summary>
internal static class RoutineContext
{
    [ThreadStatic]
    private static StorportAdapter? t_adapter;

    [ThreadStatic]
    private static MiniportRoutine t_routine;

    public static StorportAdapter? Adapter => t_adapter;

    public static MiniportRoutine Routine => t_routine;

    /// <summary>Enters a routine; dispose the result to restore the previous one (routines nest: a DPC inside nothing, a timer inside Advance).</summary>
    public static Scope Enter(StorportAdapter adapter, MiniportRoutine routine)
    {
        var scope = new Scope(t_adapter, t_routine);
        t_adapter = adapter;
        t_routine = routine;
        return scope;
    }

    public readonly struct Scope(StorportAdapter? adapter, MiniportRoutine routine) : IDisposable
    {
        public void Dispose()
        {
            t_adapter = adapter;
            t_routine = routine;
        }
    }
}
