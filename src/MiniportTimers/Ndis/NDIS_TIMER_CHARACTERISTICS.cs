namespace MiniportTimers.Ndis;

/// <summary>What NdisAllocateTimerObject takes (ns-ndis-_ndis_timer_characteristics).</summary>
public sealed class NDIS_TIMER_CHARACTERISTICS
{
    /// <summary>Type NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, revision 1, size at least NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1.</summary>
    public NDIS_OBJECT_HEADER Header { get; set; }

    /// <summary>Pool tag.</summary>
    public uint AllocationTag { get; set; }

    /// <summary>The timer routine; required.</summary>
    public NDIS_TIMER_FUNCTION? TimerFunction { get; set; }

    /// <summary>The context passed when NdisSetTimerObject's FunctionContext is null.</summary>
    public object? FunctionContext { get; set; }

    /// <summary>Characteristics with a valid header for <paramref name="function"/>.</summary>
    public static NDIS_TIMER_CHARACTERISTICS For(NDIS_TIMER_FUNCTION function, object? functionContext = null, uint allocationTag = 0x726D6954) => new()
    {
        Header = new NDIS_OBJECT_HEADER(NdisApi.NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, NdisApi.NDIS_TIMER_CHARACTERISTICS_REVISION_1, NdisApi.NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1),
        AllocationTag = allocationTag,
        TimerFunction = function,
        FunctionContext = functionContext,
    };
}
