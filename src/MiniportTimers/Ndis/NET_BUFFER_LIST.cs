namespace MiniportTimers.Ndis;

/// <summary>A send request (NET_BUFFER_LIST reduced to an identity): the host hands it to MiniportSendNetBufferLists.</summary>
public sealed class NET_BUFFER_LIST
{
    /// <summary>A number the submitter chooses.</summary>
    public long Tag { get; init; }

    /// <summary>Set by the miniport before completion.</summary>
    public uint Status { get; set; }
}
