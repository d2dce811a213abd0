using MiniportTimers.Hosting.Routines;

namespace MiniportTimers.Ndis;

/// <summary>NDIS's routines as the hosting layer runs them: one <see cref="HostedRoutine"/> per <see cref="NdisRoutine"/>, created once (as <c>StorportRoutines</c> for Storport).</summary>
internal static class NdisRoutines
{
    private static readonly HostedRoutine[] Routines = Array.ConvertAll(
        Enum.GetValues<NdisRoutine>(),
        static r => new HostedRoutine(r.ToString(), (int)r, r is NdisRoutine.TimerCallback or NdisRoutine.KernelDpc or NdisRoutine.MiniportInterruptDPC, r is NdisRoutine.WorkItem));

    /// <summary>The hosted routine of <paramref name="routine"/>.</summary>
    public static HostedRoutine Of(NdisRoutine routine) => Routines[(int)routine];

    /// <summary>True while the calling thread runs an NDIS timer callback (of any adapter, or driver-level).</summary>
    public static bool InTimerCallback => ReferenceEquals(CurrentRoutine.Routine, Of(NdisRoutine.TimerCallback));

    /// <summary>The NDIS adapter whose routine the calling thread runs, if any.</summary>
    public static NdisMiniportAdapter? CurrentAdapter => CurrentRoutine.Adapter as NdisMiniportAdapter;
}
