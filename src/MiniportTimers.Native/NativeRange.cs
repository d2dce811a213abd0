namespace MiniportTimers.Native;

/// <summary>Address ranges of native memory the host allocated (device extensions).</summary>
internal static class NativeRange
{
    /// <summary>True when <paramref name="address"/> lies in [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>).</summary>
    public static bool Contains(nint start, nuint length, nint address) =>
        address >= start && (nuint)(address - start) < length;
}
