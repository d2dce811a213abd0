namespace MiniportTimers.Ndis;

// The NDIS routine types (ndis.h). NDIS_HANDLE MiniportAdapterHandle is the NdisMiniportAdapter the host created;
// NDIS_HANDLE MiniportAdapterContext is the object the miniport registered with NdisMSetMiniportAttributes.

/// <summary>
/// PNDIS_TIMER_FUNCTION: the routine of an NDIS 5 miniport timer and of an NDIS 6 timer object. Runs at DISPATCH_LEVEL
/// with no NDIS lock held. <paramref name="SystemSpecific1"/> is the timer (the NDIS_MINIPORT_TIMER or the timer
/// object handle); <paramref name="SystemSpecific2"/> and <paramref name="SystemSpecific3"/> are PVOIDs reserved for
/// the system, passed here as the pointer-sized values they carry (nuint, so a fire allocates nothing): the low and high
/// 32 bits of the system time (100 ns units) at expiry, as the timer's DPC receives them. Drivers must not rely on them.
/// </summary>
public delegate void NDIS_TIMER_FUNCTION(object SystemSpecific1, object? FunctionContext, nuint SystemSpecific2, nuint SystemSpecific3);

/// <summary>MiniportInitializeEx: PASSIVE_LEVEL. Returns NDIS_STATUS_SUCCESS or a failure.</summary>
public delegate uint MINIPORT_INITIALIZE(NdisMiniportAdapter MiniportAdapterHandle, object? MiniportDriverContext);

/// <summary>MiniportCheckForHangEx / MiniportCheckForHang: DISPATCH_LEVEL. TRUE: the adapter needs a reset.</summary>
public delegate bool MINIPORT_CHECK_FOR_HANG(object MiniportAdapterContext);

/// <summary>MiniportHaltEx: PASSIVE_LEVEL.</summary>
public delegate void MINIPORT_HALT(object MiniportAdapterContext);

/// <summary>MiniportPause: PASSIVE_LEVEL. SUCCESS, or NDIS_STATUS_PENDING and NdisMPauseComplete later.</summary>
public delegate uint MINIPORT_PAUSE(object MiniportAdapterContext);

/// <summary>MiniportRestart: PASSIVE_LEVEL.</summary>
public delegate uint MINIPORT_RESTART(object MiniportAdapterContext);

/// <summary>MiniportResetEx / MiniportReset: DISPATCH_LEVEL here. SUCCESS, or NDIS_STATUS_PENDING and NdisMResetComplete later.</summary>
public delegate uint MINIPORT_RESET(object MiniportAdapterContext, out bool AddressingReset);

/// <summary>MiniportQueryInformation / MiniportSetInformation (NDIS 5): DISPATCH_LEVEL. NDIS_STATUS_PENDING means a NdisM…InformationComplete follows.</summary>
public delegate uint MINIPORT_OID(object MiniportAdapterContext, uint Oid);

/// <summary>MiniportSendNetBufferLists (reduced to one list): DISPATCH_LEVEL. Complete with NdisMSendNetBufferListsComplete.</summary>
public delegate void MINIPORT_SEND(object MiniportAdapterContext, NET_BUFFER_LIST NetBufferList);

/// <summary>NDIS_PROC: the routine of an NDIS 5 work item (NdisScheduleWorkItem); PASSIVE_LEVEL.</summary>
public delegate void NDIS_PROC(NDIS_WORK_ITEM WorkItem, object? Context);

/// <summary>
/// MiniportInterrupt (MINIPORT_ISR): runs at the adapter's device IRQL holding its interrupt lock. Returns TRUE when the
/// interrupt was the adapter's; sets <paramref name="QueueDefaultInterruptDpc"/> to have MiniportInterruptDPC queued.
/// <paramref name="TargetProcessors"/> (a bitmask of processors) queues MiniportInterruptDPC even without
/// QueueDefaultInterruptDpc, on the lowest targeted processor the host has (its engine's dispatchers); the default DPC
/// runs on the adapter's processor (<see cref="Hosting.HostedAdapter.Processor"/>).
/// </summary>
public delegate bool MINIPORT_ISR(object MiniportInterruptContext, out bool QueueDefaultInterruptDpc, out uint TargetProcessors);

/// <summary>MiniportInterruptDPC: DISPATCH_LEVEL, no lock held; queued by MiniportInterrupt.</summary>
public delegate void MINIPORT_INTERRUPT_DPC(object MiniportInterruptContext, object? MiniportDpcContext);

/// <summary>A routine run synchronized with the interrupt (NdisMSynchronizeWithInterruptEx): device IRQL, interrupt lock held.</summary>
public delegate bool MINIPORT_SYNCHRONIZE_INTERRUPT(object? SynchronizeContext);

/// <summary>MiniportOidRequest (NDIS 6): answers <paramref name="OidRequest"/> in place. Returns NDIS_STATUS_SUCCESS, a failure, or NDIS_STATUS_PENDING (then NdisMOidRequestComplete).</summary>
public delegate uint MINIPORT_OID_REQUEST(object MiniportAdapterContext, NDIS_OID_REQUEST OidRequest);

/// <summary>MiniportReturnNetBufferLists: the host hands back NBLs the miniport indicated (a chain through <see cref="NET_BUFFER_LIST.Next"/>).</summary>
public delegate void MINIPORT_RETURN_NET_BUFFER_LISTS(object MiniportAdapterContext, NET_BUFFER_LIST NetBufferLists, uint ReturnFlags);

/// <summary>An NDIS I/O work item's routine (NDIS_IO_WORKITEM_FUNCTION), at PASSIVE_LEVEL.</summary>
public delegate void NDIS_IO_WORKITEM_FUNCTION(object? WorkItemContext, NDIS_IO_WORKITEM NdisIoWorkItemHandle);

/// <summary>MiniportISR (NDIS 5): at the device IRQL, says whether the interrupt is the adapter's and whether MiniportHandleInterrupt is to run.</summary>
public delegate void W_ISR_HANDLER(out bool InterruptRecognized, out bool QueueMiniportHandleInterrupt, object MiniportAdapterContext);

/// <summary>MiniportHandleInterrupt (NDIS 5), at DISPATCH_LEVEL.</summary>
public delegate void W_HANDLE_INTERRUPT_HANDLER(object MiniportAdapterContext);

/// <summary>MiniportDisableInterrupt (NDIS 5), at the device IRQL.</summary>
public delegate void W_DISABLE_INTERRUPT_HANDLER(object MiniportAdapterContext);

/// <summary>MiniportEnableInterrupt (NDIS 5), at the device IRQL.</summary>
public delegate void W_ENABLE_INTERRUPT_HANDLER(object MiniportAdapterContext);

