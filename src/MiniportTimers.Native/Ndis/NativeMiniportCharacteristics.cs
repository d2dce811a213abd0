using System.Runtime.InteropServices;

namespace MiniportTimers.Native.Ndis;

/// <summary>NDIS_MINIPORT_DRIVER_CHARACTERISTICS as native/include/ndis.h lays it out: the handlers the host reads (offsets C_ASSERTed there).</summary>
[StructLayout(LayoutKind.Explicit, Size = 136)]
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
internal struct NativeTimerCharacteristics
{
    [FieldOffset(0)] public byte Type;
    [FieldOffset(1)] public byte Revision;
    [FieldOffset(2)] public ushort Size;
    [FieldOffset(4)] public uint AllocationTag;
    [FieldOffset(8)] public nint TimerFunction;
    [FieldOffset(16)] public nint FunctionContext;
}
