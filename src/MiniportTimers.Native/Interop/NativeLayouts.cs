using System.Runtime.InteropServices;

namespace MiniportTimers.Native.Interop;

/// <summary>HW_INITIALIZATION_DATA as native/include/storport.h lays it out: the members the host reads (offsets C_ASSERTed there).</summary>
[StructLayout(LayoutKind.Explicit, Size = 208)]
[NativeMirror("HW_INITIALIZATION_DATA")]
internal struct NativeHwInitializationData
{
    [FieldOffset(0)] public uint HwInitializationDataSize;
    [FieldOffset(8)] public nint HwInitialize;
    [FieldOffset(16)] public nint HwStartIo;
    [FieldOffset(24)] public nint HwInterrupt;
    [FieldOffset(32)] public nint HwFindAdapter;
    [FieldOffset(64)] public uint DeviceExtensionSize;
    [FieldOffset(72)] public uint SrbExtensionSize;
    [FieldOffset(76)] public uint NumberOfAccessRanges;
    [FieldOffset(120)] public nint HwAdapterControl;
    [FieldOffset(128)] public nint HwBuildIo;
    [FieldOffset(184)] public uint FeatureSupport;
    [FieldOffset(188)] public uint SrbTypeFlags;
    [FieldOffset(192)] public uint AddressTypeFlags;
    [FieldOffset(200)] public nint HwUnitControl;
}

/// <summary>
/// PORT_CONFIGURATION_INFORMATION at its Windows x64 offsets and size (224 bytes, all of Windows' members, as
/// native/include/storport.h declares them); the members the host writes and reads. Windows has no member for the device IRQL, so the C side does
/// not get one either.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 224)]
[NativeMirror("PORT_CONFIGURATION_INFORMATION")]
internal struct NativePortConfiguration
{
    [FieldOffset(0)] public uint Length;
    [FieldOffset(4)] public uint SystemIoBusNumber;
    [FieldOffset(8)] public uint AdapterInterfaceType;
    [FieldOffset(12)] public uint BusInterruptLevel;
    [FieldOffset(16)] public uint BusInterruptVector;
    [FieldOffset(20)] public uint InterruptMode;
    [FieldOffset(24)] public uint MaximumTransferLength;
    [FieldOffset(28)] public uint NumberOfPhysicalBreaks;
    [FieldOffset(48)] public uint AlignmentMask;
    [FieldOffset(52)] public uint NumberOfAccessRanges;
    [FieldOffset(56)] public nint AccessRanges;
    [FieldOffset(72)] public byte NumberOfBuses;
    [FieldOffset(82)] public byte Master;
    [FieldOffset(97)] public byte MaximumNumberOfTargets;
    [FieldOffset(98)] public byte SrbType;
    [FieldOffset(99)] public byte AddressType;
    [FieldOffset(100)] public uint SlotNumber;
    [FieldOffset(132)] public uint DeviceExtensionSize;
    [FieldOffset(140)] public uint SrbExtensionSize;
    [FieldOffset(144)] public byte Dma64BitAddresses;
    [FieldOffset(146)] public byte MaximumNumberOfLogicalUnits;
    [FieldOffset(148)] public uint SynchronizationModel;
    [FieldOffset(152)] public nint HwMSInterruptRoutine;
    [FieldOffset(197)] public byte DumpMode;
    [FieldOffset(204)] public uint MaxNumberOfIO;
    [FieldOffset(220)] public uint FeatureSupport;
}

/// <summary>ACCESS_RANGE (16 bytes on x64): RangeStart (STOR_PHYSICAL_ADDRESS), RangeLength, RangeInMemory.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
[NativeMirror("ACCESS_RANGE")]
internal struct NativeAccessRange
{
    [FieldOffset(0)] public ulong RangeStart;
    [FieldOffset(8)] public uint RangeLength;
    [FieldOffset(12)] public byte RangeInMemory;
}

/// <summary>
/// STORAGE_REQUEST_BLOCK (srb.h, x64): the extended SRB the host builds for a miniport whose SrbTypeFlags include
/// SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK; the members the host writes and reads (offsets C_ASSERTed in srb.h).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
[NativeMirror("STORAGE_REQUEST_BLOCK")]
internal struct NativeStorageRequestBlock
{
    [FieldOffset(0)] public ushort Length;
    [FieldOffset(2)] public byte Function;
    [FieldOffset(3)] public byte SrbStatus;
    [FieldOffset(8)] public uint Signature;
    [FieldOffset(12)] public uint Version;
    [FieldOffset(16)] public uint SrbLength;
    [FieldOffset(20)] public uint SrbFunction;
    [FieldOffset(24)] public uint SrbFlags;
    [FieldOffset(32)] public uint RequestTag;
    [FieldOffset(40)] public uint TimeOutValue;
    [FieldOffset(52)] public uint AddressOffset;
    [FieldOffset(56)] public uint NumSrbExData;
    [FieldOffset(60)] public uint DataTransferLength;
    [FieldOffset(64)] public nint DataBuffer;
    [FieldOffset(80)] public nint OriginalRequest;
    [FieldOffset(104)] public nint MiniportContext;
    [FieldOffset(120)] [NativeMember("SrbExDataOffset")] public uint SrbExDataOffset0;
}

/// <summary>STOR_ADDR_BTL8 (16 bytes, STOR_ADDRESS_ALIGN): Type (STOR_ADDRESS_TYPE_BTL8 = 1), Port, AddressLength (4), Path, Target, Lun.</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
[NativeMirror("STOR_ADDR_BTL8")]
internal struct NativeStorAddrBtl8
{
    [FieldOffset(0)] public ushort Type;
    [FieldOffset(2)] public ushort Port;
    [FieldOffset(4)] public uint AddressLength;
    [FieldOffset(8)] public byte Path;
    [FieldOffset(9)] public byte Target;
    [FieldOffset(10)] public byte Lun;
}

/// <summary>SRBEX_DATA_SCSI_CDB16 (40 bytes): Type (SrbExDataTypeScsiCdb16 = 0x40), Length (32), ScsiStatus, SenseInfoBufferLength, CdbLength, SenseInfoBuffer, Cdb[16].</summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
[NativeMirror("SRBEX_DATA_SCSI_CDB16")]
internal unsafe struct NativeSrbExDataScsiCdb16
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Length;
    [FieldOffset(8)] public byte ScsiStatus;
    [FieldOffset(9)] public byte SenseInfoBufferLength;
    [FieldOffset(10)] public byte CdbLength;
    [FieldOffset(16)] public nint SenseInfoBuffer;
    [FieldOffset(24)] public fixed byte Cdb[16];
}

/// <summary>SRBEX_DATA_PNP (24 bytes): Type (SrbExDataTypePnP = 0x62), Length (16), PnPSubFunction, PnPAction, SrbPnPFlags.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
[NativeMirror("SRBEX_DATA_PNP")]
internal struct NativeSrbExDataPnp
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Length;
    [FieldOffset(8)] public byte PnPSubFunction;
    [FieldOffset(12)] public uint PnPAction;
    [FieldOffset(16)] public uint SrbPnPFlags;
}

/// <summary>SRBEX_DATA_POWER (24 bytes): Type (SrbExDataTypePower = 0x61), Length (16), SrbPowerFlags, DevicePowerState (STOR_DEVICE_POWER_STATE: D0 = 1), PowerAction.</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
[NativeMirror("SRBEX_DATA_POWER")]
internal struct NativeSrbExDataPower
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Length;
    [FieldOffset(8)] public byte SrbPowerFlags;
    [FieldOffset(12)] public uint DevicePowerState;
    [FieldOffset(16)] public uint PowerAction;
}

/// <summary>SCSI_REQUEST_BLOCK (88 bytes on x64) and, for SRB_FUNCTION_PNP, SCSI_PNP_REQUEST_BLOCK over the same memory.</summary>
[StructLayout(LayoutKind.Explicit, Size = 88)]
[NativeMirror("SCSI_REQUEST_BLOCK")]
internal unsafe struct NativeScsiRequestBlock
{
    [FieldOffset(0)] public ushort Length;
    [FieldOffset(2)] public byte Function;
    [FieldOffset(3)] public byte SrbStatus;
    [FieldOffset(5)] public byte PathId;
    [FieldOffset(6)] public byte TargetId;
    [FieldOffset(7)] public byte Lun;
    [FieldOffset(8)] public byte QueueTag;
    [FieldOffset(8)] [NativeMember("PnPAction", "SCSI_PNP_REQUEST_BLOCK")] public uint PnPAction;
    [FieldOffset(4)] public byte ScsiStatus;
    [FieldOffset(10)] public byte CdbLength;
    [FieldOffset(12)] public uint SrbFlags;
    [FieldOffset(16)] public uint DataTransferLength;
    [FieldOffset(20)] public uint TimeOutValue;
    [FieldOffset(24)] public nint DataBuffer;
    [FieldOffset(48)] public nint OriginalRequest;
    [FieldOffset(56)] public nint SrbExtension;
    [FieldOffset(72)] public fixed byte Cdb[16];
}

/// <summary>STOR_LOCK_HANDLE as native/include/storport.h lays it out (Windows' 32 bytes): the lock kind first.</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
[NativeMirror("STOR_LOCK_HANDLE")]
internal struct NativeStorLockHandle
{
    [FieldOffset(0)] public uint Lock;
}

/// <summary>MESSAGE_INTERRUPT_INFORMATION (storport.h; StorPortGetMSIInfo's answer) at its Windows x64 offsets and size (32 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 32)]
[NativeMirror("MESSAGE_INTERRUPT_INFORMATION")]
internal struct NativeMessageInterruptInformation
{
    [FieldOffset(0)] public uint MessageId;
    [FieldOffset(4)] public uint MessageData;
    [FieldOffset(8)] public long MessageAddress;
    [FieldOffset(16)] public uint InterruptVector;
    [FieldOffset(20)] public uint InterruptLevel;
    [FieldOffset(24)] public int InterruptMode;
}
