namespace MiniportTimers.Native.Ndis;

/// <summary>
/// The fields of NET_BUFFER_LIST (native/include/ndis/nbl.h, x64) the host reads and writes, by offset; the header
/// C_ASSERTs the same offsets.
/// </summary>
internal static unsafe class NativeNblLayout
{
    /// <summary>NET_BUFFER_LIST.Next.</summary>
    public const int NextOffset = 0;

    /// <summary>NET_BUFFER_LIST.Status: 140 on x64, where the reserved arrays before it start on 16-byte boundaries.</summary>
    public const int StatusOffset = 140;

    public static nint Next(nint nbl) => *(nint*)(nbl + NextOffset);

    public static void SetNext(nint nbl, nint next) => *(nint*)(nbl + NextOffset) = next;

    public static uint Status(nint nbl) => *(uint*)(nbl + StatusOffset);

    /// <summary>The data of the NBL's first NET_BUFFER (DataLength bytes from CurrentMdl at CurrentMdlOffset, across the MDL chain).</summary>
    public static byte[] FirstFrame(nint nbl)
    {
        var nb = *(nint*)(nbl + 8);                  // NET_BUFFER_LIST.FirstNetBuffer
        if (nb == 0)
        {
            return [];
        }

        var length = (int)Math.Min(*(uint*)(nb + 24), 1 << 20); // NET_BUFFER.DataLength
        var mdl = *(nint*)(nb + 8);                  // NET_BUFFER.CurrentMdl
        var offset = (int)*(uint*)(nb + 16);         // NET_BUFFER.CurrentMdlOffset
        var frame = new byte[length];
        var copied = 0;
        while (copied < length && mdl != 0)
        {
            var va = *(nint*)(mdl + 24);             // MDL.MappedSystemVa
            var count = (int)*(uint*)(mdl + 40) - offset; // MDL.ByteCount
            var chunk = Math.Min(Math.Max(count, 0), length - copied);
            new ReadOnlySpan<byte>((void*)(va + offset), chunk).CopyTo(frame.AsSpan(copied));
            copied += chunk;
            offset = 0;
            mdl = *(nint*)mdl;                       // MDL.Next
        }

        return copied == length ? frame : frame[..copied];
    }
}
