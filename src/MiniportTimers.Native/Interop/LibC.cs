using System.Runtime.InteropServices;

namespace MiniportTimers.Native.Interop;

/// <summary>The libc calls the bridge needs: dladdr, to find which loaded object (and base address) a code address is in.</summary>
internal static unsafe partial class LibC
{
    [StructLayout(LayoutKind.Sequential)]
    public struct DlInfo
    {
        public nint FileName;
        public nint FileBase;
        public nint SymbolName;
        public nint SymbolAddress;
    }

    /// <summary>dladdr(3): nonzero when <paramref name="address"/> lies in a loaded object.</summary>
    [LibraryImport("libc", EntryPoint = "dladdr")]
    public static partial int DlAddr(nint address, DlInfo* info);
}
