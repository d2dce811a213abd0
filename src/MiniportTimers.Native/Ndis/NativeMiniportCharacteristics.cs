using System.Runtime.InteropServices;
using MiniportTimers.Native.Interop;

namespace MiniportTimers.Native.Ndis;

/// <summary>NDIS_MINIPORT_DRIVER_CHARACTERISTICS as native/include/ndis.h lays it out: the handlers the host reads (offsets C_ASSERTed there).</summary>
[StructLayout(LayoutKind.Explicit, Size = 160)]
[NativeMirror("NDIS_MINIPORT_DRIVER_CHARACTERISTICS")]
internal struct NativeMiniportCharacteristics
{
    [FieldOffset(24)] public nint InitializeHandlerEx;
    [FieldOffset(32)] public nint HaltHandlerEx;
    [FieldOffset(40)] public nint UnloadHandler;
    [FieldOffset(48)] public nint PauseHandler;
    [FieldOffset(56)] public nint RestartHandler;
    [FieldOffset(64)] public nint OidRequestHandler;
    [FieldOffset(72)] public nint SendNetBufferListsHandler;
    [FieldOffset(80)] public nint ReturnNetBufferListsHandler;
    [FieldOffset(96)] public nint CheckForHangHandlerEx;
    [FieldOffset(104)] public nint ResetHandlerEx;
}

/// <summary>NDIS_TIMER_CHARACTERISTICS (24 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
[NativeMirror("NDIS_TIMER_CHARACTERISTICS")]
internal struct NativeTimerCharacteristics
{
    [FieldOffset(0)] [NativeMember("Header.Type")] public byte Type;
    [FieldOffset(1)] [NativeMember("Header.Revision")] public byte Revision;
    [FieldOffset(2)] [NativeMember("Header.Size")] public ushort Size;
    [FieldOffset(4)] public uint AllocationTag;
    [FieldOffset(8)] public nint TimerFunction;
    [FieldOffset(16)] public nint FunctionContext;
}
