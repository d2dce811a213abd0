using System.Runtime.InteropServices;

namespace MiniportTimers.Native.Interop;

/// <summary>HW_INITIALIZATION_DATA as native/include/storport.h lays it out: the members the host reads (offsets C_ASSERTed there).</summary>
[StructLayout(LayoutKind.Explicit, Size = 208)]
internal struct NativeHwInitializationData
{
    [FieldOffset(0)] public uint HwInitializationDataSize;
    [FieldOffset(8)] public nint HwInitialize;
    [FieldOffset(16)] public nint HwStartIo;
    [FieldOffset(24)] public nint HwInterrupt;
    [FieldOffset(32)] public nint HwFindAdapter;
    [FieldOffset(64)] public uint DeviceExtensionSize;
    [FieldOffset(120)] public nint HwAdapterControl;
    [FieldOffset(200)] public nint HwUnitControl;
}

/// <summary>
/// PORT_CONFIGURATION_INFORMATION at its Windows x64 offsets and size (224 bytes, all of Windows' members, as
/// native/include/storport.h declares them); the members the host writes and reads. Windows has no member for the device IRQL, so the C side does
/// not get one either.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 224)]
internal struct NativePortConfiguration
{
    [FieldOffset(0)] public uint Length;
    [FieldOffset(72)] public byte NumberOfBuses;
    [FieldOffset(148)] public uint SynchronizationModel;
}

/// <summary>SCSI_REQUEST_BLOCK (88 bytes on x64) and, for SRB_FUNCTION_PNP, SCSI_PNP_REQUEST_BLOCK over the same memory.</summary>
[StructLayout(LayoutKind.Explicit, Size = 88)]
internal unsafe struct NativeScsiRequestBlock
{
    [FieldOffset(0)] public ushort Length;
    [FieldOffset(2)] public byte Function;
    [FieldOffset(3)] public byte SrbStatus;
    [FieldOffset(5)] public byte PathId;
    [FieldOffset(6)] public byte TargetId;
    [FieldOffset(7)] public byte Lun;
    [FieldOffset(8)] public byte QueueTag;
    [FieldOffset(8)] public uint PnPAction;
    [FieldOffset(10)] public byte CdbLength;
    [FieldOffset(16)] public uint DataTransferLength;
    [FieldOffset(72)] public fixed byte Cdb[16];
}

/// <summary>STOR_LOCK_HANDLE as native/include/storport.h lays it out (Windows' 32 bytes): the lock kind first.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
internal struct NativeStorLockHandle
{
    [FieldOffset(0)] public uint Lock;
}
