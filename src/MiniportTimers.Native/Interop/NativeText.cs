using System.Runtime.InteropServices;

namespace MiniportTimers.Native.Interop;

/// <summary>Text the driver hands over (UTF-8, NUL-terminated: the shim formats debug output as UTF-8).</summary>
internal static class NativeText
{
    public static string? Utf8(nint text) => Marshal.PtrToStringUTF8(text);
}
