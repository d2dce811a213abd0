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
}
