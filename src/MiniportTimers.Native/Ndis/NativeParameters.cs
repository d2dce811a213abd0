using System.Runtime.InteropServices;

namespace MiniportTimers.Native.Ndis;

/// <summary>
/// The parameter blocks the host passes to MiniportInitializeEx, MiniportPause and MiniportRestart, zero-filled in
/// native memory with their NDIS_OBJECT_HEADER set (native/include/ndis/miniport.h): no hardware resources, no
/// restart attributes, pause reason NDIS_PAUSE_NDIS_INTERNAL. The caller frees them after the call.
/// </summary>
internal static unsafe class NativeParameters
{
    public static nint Initialize() => Block(0x81, 1, 64); // NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS

    public static nint Pause()
    {
        var p = Block(0x80, 1, 12); // NDIS_OBJECT_TYPE_DEFAULT, NDIS_MINIPORT_PAUSE_PARAMETERS
        *(uint*)(p + 8) = 0x00000001; // PauseReason: NDIS_PAUSE_NDIS_INTERNAL
        return p;
    }

    public static nint Restart() => Block(0x80, 1, 56); // NDIS_OBJECT_TYPE_DEFAULT, NDIS_MINIPORT_RESTART_PARAMETERS

    private static nint Block(byte type, byte revision, ushort size)
    {
        var p = (byte*)NativeMemory.AllocZeroed(size);
        (p[0], p[1], *(ushort*)(p + 2)) = (type, revision, size);
        return (nint)p;
    }
}
