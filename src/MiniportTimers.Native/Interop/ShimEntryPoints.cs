using System.Runtime.InteropServices;

namespace MiniportTimers.Native.Interop;

/// <summary>
/// The shim's exports in one loaded driver .so (native/shim/mpt_bridge.h): the table setter, the bug-check signal, and
/// the trampolines through which the host calls every driver routine. Each trampoline sets a jump point; its last
/// argument receives 1 when a bug check in a DDI the routine called unwound it (C frames only).
/// </summary>
internal sealed unsafe class ShimEntryPoints
{
    public ShimEntryPoints(nint library)
    {
        SetDdiTable = (delegate* unmanaged<MptDdiTable*, uint>)Export(library, "MptSetDdiTable");
        SlotName = (delegate* unmanaged<uint, byte*>)Export(library, "MptDdiSlotName");
        BridgeVersion = (delegate* unmanaged<uint>)Export(library, "MptDdiBridgeVersion");
        RaiseBugCheck = (delegate* unmanaged<void>)Export(library, "MptRaiseBugCheck");
        CallDriverEntry = (delegate* unmanaged<nint, nint, int*, uint>)Export(library, "MptCallDriverEntry");
        CallFindAdapter = (delegate* unmanaged<nint, nint, nint, nint, nint, int*, uint>)Export(library, "MptCallFindAdapter");
        CallBoolean = (delegate* unmanaged<nint, nint, int*, byte>)Export(library, "MptCallBoolean");
        CallMessageInterrupt = (delegate* unmanaged<nint, nint, uint, int*, byte>)Export(library, "MptCallMessageInterrupt");
        CallStartIo = (delegate* unmanaged<nint, nint, nint, int*, byte>)Export(library, "MptCallStartIo");
        CallAdapterControl = (delegate* unmanaged<nint, nint, uint, nint, int*, uint>)Export(library, "MptCallAdapterControl");
        CallTimer = (delegate* unmanaged<nint, nint, int*, void>)Export(library, "MptCallTimer");
        CallTimerEx = (delegate* unmanaged<nint, nint, nint, int*, void>)Export(library, "MptCallTimerEx");
        CallDpc = (delegate* unmanaged<nint, nint, nint, nint, nint, int*, void>)Export(library, "MptCallDpc");
        CallSynchronized = (delegate* unmanaged<nint, nint, nint, int*, byte>)Export(library, "MptCallSynchronized");
        CallIsr = (delegate* unmanaged<nint, nint, byte*, uint*, int*, byte>)Export(library, "MptCallIsr");
        CallStatus2 = (delegate* unmanaged<nint, nint, nint, int*, int>)Export(library, "MptCallStatus2");
        CallStatus3 = (delegate* unmanaged<nint, nint, nint, nint, int*, int>)Export(library, "MptCallStatus3");
        CallHalt = (delegate* unmanaged<nint, nint, uint, int*, void>)Export(library, "MptCallHalt");
        CallVoid4 = (delegate* unmanaged<nint, nint, nint, nint, nint, int*, void>)Export(library, "MptCallVoid4");
        CallVoid5 = (delegate* unmanaged<nint, nint, nint, nint, nint, nint, int*, void>)Export(library, "MptCallVoid5");
        CallVoid2 = (delegate* unmanaged<nint, nint, nint, int*, void>)Export(library, "MptCallVoid2");
        CallSendNetBufferLists = (delegate* unmanaged<nint, nint, nint, uint, uint, int*, void>)Export(library, "MptCallSendNetBufferLists");
        CallReturnNetBufferLists = (delegate* unmanaged<nint, nint, nint, uint, int*, void>)Export(library, "MptCallReturnNetBufferLists");
        AllocateSendNetBufferList = (delegate* unmanaged<byte*, uint, nint, nint>)Export(library, "MptAllocateSendNetBufferList");
        FreeSendNetBufferList = (delegate* unmanaged<nint, void>)Export(library, "MptFreeSendNetBufferList");
    }

    /// <summary>VOID (PVOID, PVOID): NDIS I/O work items, MiniportDriverUnload.</summary>
    public delegate* unmanaged<nint, nint, nint, int*, void> CallVoid2 { get; }

    /// <summary>MiniportSendNetBufferLists (routine, context, NBL chain, port, flags).</summary>
    public delegate* unmanaged<nint, nint, nint, uint, uint, int*, void> CallSendNetBufferLists { get; }

    /// <summary>MiniportReturnNetBufferLists (routine, context, NBL chain, flags).</summary>
    public delegate* unmanaged<nint, nint, nint, uint, int*, void> CallReturnNetBufferLists { get; }

    /// <summary>An NBL over a copy of a frame, for the host's sends (frame, length, tag) (ndis_nbl.c).</summary>
    public delegate* unmanaged<byte*, uint, nint, nint> AllocateSendNetBufferList { get; }

    /// <summary>Frees an NBL <see cref="AllocateSendNetBufferList"/> made.</summary>
    public delegate* unmanaged<nint, void> FreeSendNetBufferList { get; }

    /// <summary>MptSetDdiTable: 0, MPT_DDI_TABLE_MISMATCH, or the 1-based index of the first slot whose name differs.</summary>
    public delegate* unmanaged<MptDdiTable*, uint> SetDdiTable { get; }

    /// <summary>MptDdiSlotName: the name the shim expects in a slot (NULL beyond the last).</summary>
    public delegate* unmanaged<uint, byte*> SlotName { get; }

    /// <summary>MptDdiBridgeVersion: the MPT_BRIDGE_VERSION the shim was built with.</summary>
    public delegate* unmanaged<uint> BridgeVersion { get; }

    /// <summary>The MPT_BRIDGE_VERSION the shim was built with.</summary>
    public uint ExpectedVersion => BridgeVersion();

    /// <summary>The name the shim expects in slot <paramref name="index"/>, or null beyond the last.</summary>
    public string? ExpectedSlotName(int index) => System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)SlotName(checked((uint)index)));

    public delegate* unmanaged<void> RaiseBugCheck { get; }

    public delegate* unmanaged<nint, nint, int*, uint> CallDriverEntry { get; }

    public delegate* unmanaged<nint, nint, nint, nint, nint, int*, uint> CallFindAdapter { get; }

    public delegate* unmanaged<nint, nint, int*, byte> CallBoolean { get; }

    /// <summary>HwMSInterruptRoutine (routine, extension, message id).</summary>
    public delegate* unmanaged<nint, nint, uint, int*, byte> CallMessageInterrupt { get; }

    public delegate* unmanaged<nint, nint, nint, int*, byte> CallStartIo { get; }

    public delegate* unmanaged<nint, nint, uint, nint, int*, uint> CallAdapterControl { get; }

    public delegate* unmanaged<nint, nint, int*, void> CallTimer { get; }

    public delegate* unmanaged<nint, nint, nint, int*, void> CallTimerEx { get; }

    public delegate* unmanaged<nint, nint, nint, nint, nint, int*, void> CallDpc { get; }

    public delegate* unmanaged<nint, nint, nint, int*, byte> CallSynchronized { get; }

    public delegate* unmanaged<nint, nint, byte*, uint*, int*, byte> CallIsr { get; }

    public delegate* unmanaged<nint, nint, nint, int*, int> CallStatus2 { get; }

    public delegate* unmanaged<nint, nint, nint, nint, int*, int> CallStatus3 { get; }

    public delegate* unmanaged<nint, nint, uint, int*, void> CallHalt { get; }

    /// <summary>Any routine of four pointers returning nothing (NDIS_TIMER_FUNCTION, KDEFERRED_ROUTINE).</summary>
    public delegate* unmanaged<nint, nint, nint, nint, nint, int*, void> CallVoid4 { get; }

    /// <summary>MptCallVoid5: a VOID routine of five pointer-sized arguments (HW_STATE_CHANGE).</summary>
    public delegate* unmanaged<nint, nint, nint, nint, nint, nint, int*, void> CallVoid5 { get; }

    private static nint Export(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out var address)
            ? address
            : throw new NativeDriverException($"The driver does not export {name}: it was not linked with native/shim/mpt_shim.c (build it with native/toolchain.mk).");
}
