using System.Runtime.InteropServices;

namespace MiniportTimers.Native.Interop;

/// <summary>
/// The table of DDI entry points handed to a driver's shim: native/shim/mpt_bridge.h's MPT_DDI_TABLE, field for field
/// (the shim rejects a table whose Size or Version differs). Every entry is an [UnmanagedCallersOnly] method of
/// <see cref="Storport.StorportExports"/> or <see cref="Kernel.KernelExports"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MptDdiTable
{
    public const uint CurrentVersion = 6;

    public uint Size;
    public uint Version;

    // Storport
    public delegate* unmanaged<nint, nint, nint, nint, uint> StorPortInitialize;
    public delegate* unmanaged<nint, nint, uint, void> NotifyRequestTimerCall;
    public delegate* unmanaged<nint, nint, void> NotifyRequestComplete;
    public delegate* unmanaged<nint, void> NotifyNextRequest;
    public delegate* unmanaged<nint, nint*, uint> InitializeTimer;
    public delegate* unmanaged<nint, nint, nint, nint, ulong, ulong, uint> RequestTimer;
    public delegate* unmanaged<nint, nint, uint> FreeTimer;
    public delegate* unmanaged<nint, uint, nint, void> AcquireSpinLock;
    public delegate* unmanaged<nint, nint, void> ReleaseSpinLock;
    public delegate* unmanaged<nint, nint, nint, byte> SynchronizeAccess;
    public delegate* unmanaged<nint, nint, nint, void> InitializeDpc;
    public delegate* unmanaged<nint, nint, nint, nint, byte> IssueDpc;
    public delegate* unmanaged<nint, nint, byte> EnablePassiveInitialization;
    public delegate* unmanaged<nint, uint, byte> Pause;
    public delegate* unmanaged<nint, byte> Resume;
    public delegate* unmanaged<uint, void> StallExecution;
    public delegate* unmanaged<nint, long*, uint> QuerySystemTime;

    // Kernel
    public delegate* unmanaged<byte> GetCurrentIrql;
    public delegate* unmanaged<nint, void> InitializeSpinLock;
    public delegate* unmanaged<nint, byte> AcquireSpinLockRaiseToDpc;
    public delegate* unmanaged<nint, byte, void> ReleaseSpinLockKe;
    public delegate* unmanaged<nint, void> AcquireSpinLockAtDpcLevel;
    public delegate* unmanaged<nint, void> ReleaseSpinLockFromDpcLevel;
    public delegate* unmanaged<ulong> QueryInterruptTime;
    public delegate* unmanaged<long*, void> KeQuerySystemTime;
    public delegate* unmanaged<uint, void> StallExecutionProcessor;
    public delegate* unmanaged<uint, nint, void> DebugPrint;
    public delegate* unmanaged<uint, nuint, nuint, nuint, nuint, nint, void> BugCheck;

    // NDIS
    public delegate* unmanaged<nint, nint, nint, nint*, int> NdisMRegisterMiniportDriver;
    public delegate* unmanaged<nint, nint, int> NdisMSetMiniportAttributes;
    public delegate* unmanaged<nint, void> NdisMPauseComplete;
    public delegate* unmanaged<nint, int, byte, void> NdisMResetComplete;
    public delegate* unmanaged<nint, nint, nint, nint, void> NdisMInitializeTimer;
    public delegate* unmanaged<nint, uint, byte, void> NdisMSetTimer;
    public delegate* unmanaged<nint, byte> NdisMCancelTimer;
    public delegate* unmanaged<nint, nint, nint*, int> NdisAllocateTimerObject;
    public delegate* unmanaged<nint, long, int, nint, uint, byte, byte> NdisSetTimerObject;
    public delegate* unmanaged<nint, byte> NdisCancelTimerObject;
    public delegate* unmanaged<nint, void> NdisFreeTimerObject;

    // Ke/Ex timers and DPCs
    public delegate* unmanaged<byte, byte*, void> KeRaiseIrql;
    public delegate* unmanaged<byte, void> KeLowerIrql;
    public delegate* unmanaged<nint, nint, nint, void> KeInitializeDpc;
    public delegate* unmanaged<nint, nint, nint, byte> KeInsertQueueDpc;
    public delegate* unmanaged<nint, byte> KeRemoveQueueDpc;
    public delegate* unmanaged<void> KeFlushQueuedDpcs;
    public delegate* unmanaged<nint, uint, void> KeInitializeTimerEx;
    public delegate* unmanaged<nint, long, uint, uint, nint, uint, byte> KeSetTimer;
    public delegate* unmanaged<nint, byte> KeCancelTimer;
    public delegate* unmanaged<nint, byte> KeReadStateTimer;
    public delegate* unmanaged<nint, nint, uint, nint> ExAllocateTimer;
    public delegate* unmanaged<nint, long, long, nint, byte> ExSetTimer;
    public delegate* unmanaged<nint, byte> ExCancelTimer;
    public delegate* unmanaged<nint, byte, byte, nint, byte> ExDeleteTimer;

    // More clock reads
    public delegate* unmanaged<long*, long> KeQueryPerformanceCounter;
    public delegate* unmanaged<uint> KeQueryTimeIncrement;
    public delegate* unmanaged<long> KeQueryTickCount;
    public delegate* unmanaged<uint, byte, uint> ExSetTimerResolution;

    // NDIS interrupts
    public delegate* unmanaged<nint, nint, nint, nint*, int> NdisMRegisterInterruptEx;
    public delegate* unmanaged<nint, void> NdisMDeregisterInterruptEx;
    public delegate* unmanaged<nint, uint, nint, nint, byte> NdisMSynchronizeWithInterruptEx;

    // NDIS 6 requests, sends, receives, work items, sleep (version 6)
    public delegate* unmanaged<nint, void> NdisMDeregisterMiniportDriver;
    public delegate* unmanaged<nint, nint, int, void> NdisMOidRequestComplete;
    public delegate* unmanaged<nint, nint, uint, void> NdisMSendNetBufferListsComplete;
    public delegate* unmanaged<nint, nint, uint, uint, uint, void> NdisMIndicateReceiveNetBufferLists;
    public delegate* unmanaged<nint, int, void> NdisMIndicateStatusEx;
    public delegate* unmanaged<nint, nint> NdisAllocateIoWorkItem;
    public delegate* unmanaged<nint, nint, nint, void> NdisQueueIoWorkItem;
    public delegate* unmanaged<nint, void> NdisFreeIoWorkItem;
    public delegate* unmanaged<uint, void> NdisMSleep;

    // More of the DPC object and spin locks
    public delegate* unmanaged<nint, byte> KeTryToAcquireSpinLockAtDpcLevel;
    public delegate* unmanaged<nint, uint, uint, int> KeSetDpcProperty;
    public delegate* unmanaged<uint*, void> KeQueryDpcWatchdogInformation;
}
