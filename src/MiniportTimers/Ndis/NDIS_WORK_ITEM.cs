using MiniportTimers.Engine;

namespace MiniportTimers.Ndis;

/// <summary>An NDIS 5 work item (NdisInitializeWorkItem / NdisScheduleWorkItem): its routine runs at PASSIVE_LEVEL on the dispatcher.</summary>
public sealed class NDIS_WORK_ITEM
{
    internal NDIS_PROC? Routine { get; set; }

    internal object? Context { get; set; }

    internal EngineTimer? Queue { get; set; }
}
