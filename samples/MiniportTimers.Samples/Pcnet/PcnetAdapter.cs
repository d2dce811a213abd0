using MiniportTimers.Ndis;

namespace MiniportTimers.Samples.Pcnet;

/// <summary>What pcnet/nvnet's adapter context holds for the timer paths.</summary>
public sealed class PcnetAdapter
{
    internal PcnetAdapter(NdisMiniportAdapter handle) => Handle = handle;

    /// <summary>The MiniportAdapterHandle.</summary>
    public NdisMiniportAdapter Handle { get; }

    /// <summary>The 5 s media detection timer (NDIS 5 miniport timer).</summary>
    public NDIS_MINIPORT_TIMER MediaDetectionTimer { get; } = new();

    /// <summary>The work item that runs the reset at PASSIVE_LEVEL (nvnet).</summary>
    internal NDIS_WORK_ITEM ResetWorkItem { get; } = new();

    /// <summary>The simulated PHY: true while the cable is plugged in.</summary>
    public bool PhyLinkUp { get; set; } = true;

    /// <summary>The link state last indicated to NDIS.</summary>
    public bool IndicatedLinkUp { get; internal set; } = true;

    /// <summary>Media detection callbacks run.</summary>
    public long Polls { get; internal set; }

    /// <summary>Resets completed by the work item.</summary>
    public long ResetsDone { get; internal set; }
}
