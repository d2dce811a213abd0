namespace MiniportTimers.Ndis;

/// <summary>A send request (NET_BUFFER_LIST reduced to an identity): the host hands it to MiniportSendNetBufferLists.</summary>
public sealed class NET_BUFFER_LIST
{
    /// <summary>A number the submitter chooses.</summary>
    public long Tag { get; init; }

    /// <summary>Set by the miniport before completion.</summary>
    public uint Status { get; set; }

    /// <summary>The frame it carries (its NET_BUFFER's data); empty when the submitter gave none.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>The next NBL of a chain (NET_BUFFER_LIST_NEXT_NBL), null at the end.</summary>
    public NET_BUFFER_LIST? Next { get; set; }
}
