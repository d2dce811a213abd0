using System.Runtime.InteropServices;

namespace MiniportTimers.Native.Interop;

/// <summary>
/// The libc calls the bridge needs: dladdr, to find which loaded object (and base address) a code address is in; dlopen
/// with immediate binding and dlerror, to load a driver (NativeLibrary binds lazily, so a routine nothing defines would
/// end the process when first called: "symbol lookup error", exit 127).
/// </summary>
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

    /// <summary>RTLD_NOW: resolve every symbol before dlopen returns.</summary>
    public const int RtldNow = 2;

    /// <summary>
    /// dlopen(3) of <paramref name="path"/> with <paramref name="flags"/>: the handle (as NativeLibrary's), or 0 with
    /// dlerror's reason in <paramref name="error"/>. dlerror is called (bound, and any stale error cleared) before dlopen:
    /// binding it lazily afterwards would itself go through the loader and clear the reason.
    /// </summary>
    public static nint Open(string path, int flags, out string? error)
    {
        _ = DlError();
        var handle = DlOpen(path, flags);
        error = handle == 0 ? Marshal.PtrToStringUTF8(DlError()) ?? "dlopen gave no reason" : null;
        return handle;
    }

    [LibraryImport("libc", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint DlOpen(string path, int flags);

    [LibraryImport("libc", EntryPoint = "dlerror")]
    private static partial nint DlError();
}
