using MiniportTimers.Hosting;
using MiniportTimers.Hosting.Routines;

namespace MiniportTimers.Storport;

/// <summary>Storport's routines as the hosting layer runs them: one <see cref="HostedRoutine"/> per <see cref="MiniportRoutine"/>, created once.</summary>
internal static class StorportRoutines
{
    private static readonly HostedRoutine[] Routines = Array.ConvertAll(
        Enum.GetValues<MiniportRoutine>(),
        static r => new HostedRoutine(r.ToString(), (int)r, r is MiniportRoutine.TimerCallback or MiniportRoutine.DpcRoutine or MiniportRoutine.HwStateChange, r is MiniportRoutine.WorkItem));

    /// <summary>The hosted routine of <paramref name="routine"/>.</summary>
    public static HostedRoutine Of(MiniportRoutine routine) => Routines[(int)routine];

    /// <summary>The Storport routine the calling thread runs (None outside one, or in another stack's routine).</summary>
    public static MiniportRoutine Current => CurrentRoutine.Adapter is StorportAdapter && CurrentRoutine.Routine is { } r ? (MiniportRoutine)r.Code : MiniportRoutine.None;

    /// <summary>The Storport adapter whose routine the calling thread runs, if any.</summary>
    public static StorportAdapter? CurrentAdapter => CurrentRoutine.Adapter as StorportAdapter;
}
