/*
 * A Storport miniport written by the MiniportTimers project, in the style of a real one (storahci, the OFA NVMe
 * driver): DriverEntry -> StorPortInitialize, a StorPortInitializeTimer handle made in HwStorFindAdapter and re-armed
 * from its own callback, STOR_STATUS_BUSY on a second request, cancel with 0 us, a timer freed inside its own callback,
 * the legacy RequestTimerCall from HwStorInterrupt, a timer freed and initialized again, and two kinds of misuse. The
 * tests drive it through HwStorStartIo: the first CDB byte is a command of this file's own (MPT_CMD_*). It reports what
 * it saw with DbgPrint.
 */
#include <storport.h>
#include <scsiwmi.h>

#define MPT_CMD_ARM 0x01            /* request the timer for 10 ms, then again at once (expects BUSY) */
#define MPT_CMD_CANCEL 0x02         /* request 0 us: cancel */
#define MPT_CMD_POLL 0x03           /* request 10 ms; the callback re-arms itself until 3 re-arms are done */
#define MPT_CMD_FREE_IN_CALLBACK 0x04 /* request 5 ms; the callback frees its own timer */
#define MPT_CMD_TAKE_STARTIO_LOCK 0x05 /* misuse: the StartIo lock is already held in HwStorStartIo (0x0F) */
#define MPT_CMD_BUGCHECK 0x06       /* KeBugCheckEx(0xE2, 1, 2, 3, 4) */
#define MPT_CMD_TOLERANT 0x07       /* request 2 ms with a 1 ms tolerable delay */
#define MPT_CMD_PRINT_FORMATS 0x08  /* DbgPrint with the Windows-only format directives */
#define MPT_CMD_KE_TIMER 0x09       /* a KTIMER with a KDPC, due in 20 ms */
#define MPT_CMD_EX_TIMER 0x0A       /* an EX_TIMER due in 30 ms that deletes itself in its callback */
#define MPT_CMD_INIT_NULL 0x0B      /* StorPortInitializeTimer with no place for the handle (expects INVALID_PARAMETER) */
#define MPT_CMD_FREE_TWICE 0x0C     /* a new timer freed twice (the second: UNSUCCESSFUL, as in C#), then used */
#define MPT_CMD_NEW_TIMER 0x0D      /* free the timer (if any) and initialize a new one: a timer handle freed and made */
#define MPT_CMD_KE_DPC_QUEUED 0x0E  /* the extension's KDPC queued, left queued until the dispatcher runs it (removal first: 0xC7 P1 1) */
#define MPT_CMD_ETW 0x20            /* StorPortEtwEvent2 and StorPortLogTelemetry: lines in the debug output */
#define MPT_CMD_LEAK_POOL 0x21      /* StorPortAllocatePool without a free: a finding at removal */
#define MPT_CMD_REGISTRY 0x22       /* StorPortRegistryWrite/ReadAdapterKey round trip */
#define MPT_CMD_COMPLETE_ALL 0x23   /* leaves the request pending, then StorPortCompleteRequest completes it */
#define MPT_CMD_NUMA 0x24           /* the processor, group and NUMA node routines (nvmewin's core-to-queue mapping) */
#define MPT_CMD_CONTIGUOUS 0x25     /* StorPortAllocateContiguousMemorySpecifyCacheNode, its address, its free twice */
#define MPT_CMD_REGISTRY_BUFFER 0x26 /* StorPortAllocateRegistryBuffer (zeroed) and StorPortFreeRegistryBuffer */
#define MPT_CMD_LOG_ERROR 0x27      /* StorPortLogError: a line in the debug output */
#define MPT_CMD_WMI 0x28            /* ScsiPortWmiDispatchFunction: not emulated, a bug check naming it */
#define MPT_CMD_MM_PHYSICAL 0x29    /* MmGetPhysicalAddress: not emulated, a bug check naming it */
#define MPT_CMD_PERF_TARGETS 0x2A   /* StorPortInitializePerfOpts: the query, then a set with message ranges and
                                       locality whose MessageTargets Storport fills (nvmewin's MSI-to-core mapping) */

typedef struct _MPT_EXTENSION {
    PVOID Timer;          /* StorPortInitializeTimer handle */
    ULONG RearmsLeft;
    BOOLEAN FreeInCallback;
    ULONG Fires;
    ULONG LegacyFires;
    ULONG InterruptRequests;
    KSPIN_LOCK CounterLock;
    KTIMER KeTimer;
    KDPC KeDpc;
    PEX_TIMER ExTimer;
} MPT_EXTENSION, *PMPT_EXTENSION;

static VOID MptKeDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PMPT_EXTENSION ext = (PMPT_EXTENSION)DeferredContext;
    /* A timer's DPC gets the system time's low and high parts as its arguments. */
    ULONGLONG systemTime = ((ULONGLONG)(ULONG_PTR)SystemArgument2 << 32) | (ULONG)(ULONG_PTR)SystemArgument1;
    DbgPrint("MptKeDpc 1 at %I64u own %u systime %I64u signalled %u\n", KeQueryInterruptTime(), Dpc == &ext->KeDpc, systemTime, (ULONG)KeReadStateTimer(&ext->KeTimer));
}

static VOID MptExCallback(PEX_TIMER Timer, PVOID Context)
{
    PMPT_EXTENSION ext = (PMPT_EXTENSION)Context;
    BOOLEAN deleted = ExDeleteTimer(Timer, TRUE, FALSE, NULL); /* legal from its own callback without waiting */
    DbgPrint("MptExCallback 1 at %I64u own %u deleted %u irql %u\n", KeQueryInterruptTime(), Timer == ext->ExTimer, (ULONG)deleted, (ULONG)KeGetCurrentIrql());
}

static VOID MptTimerCallback(PVOID DeviceExtension, PVOID Context)
{
    PMPT_EXTENSION ext = (PMPT_EXTENSION)DeviceExtension;
    KIRQL old;
    KeAcquireSpinLock(&ext->CounterLock, &old);
    ext->Fires++;
    KeReleaseSpinLock(&ext->CounterLock, old);
    DbgPrint("MptTimerCallback fire %lu at %I64u irql %u context %s\n", ext->Fires, KeQueryInterruptTime(), (ULONG)KeGetCurrentIrql(), Context == DeviceExtension ? "ext" : "other");
    if (ext->RearmsLeft > 0) {
        ext->RearmsLeft--;
        ULONG status = StorPortRequestTimer(DeviceExtension, ext->Timer, MptTimerCallback, Context, 10000, 0);
        DbgPrint("rearm status 0x%08lx\n", status);
    }
    if (ext->FreeInCallback) {
        ext->FreeInCallback = FALSE;
        ULONG status = StorPortFreeTimer(DeviceExtension, ext->Timer);
        ext->Timer = NULL;
        DbgPrint("free in callback status 0x%08lx\n", status);
    }
}

static VOID MptLegacyTimer(PVOID DeviceExtension)
{
    PMPT_EXTENSION ext = (PMPT_EXTENSION)DeviceExtension;
    ext->LegacyFires++;
    DbgPrint("MptLegacyTimer fire %lu at %I64u\n", ext->LegacyFires, KeQueryInterruptTime());
}

static ULONG MptFindAdapter(PVOID DeviceExtension, PVOID HwContext, PVOID BusInformation, PCHAR ArgumentString, PPORT_CONFIGURATION_INFORMATION ConfigInfo, PBOOLEAN Reserved3)
{
    PMPT_EXTENSION ext = (PMPT_EXTENSION)DeviceExtension;
    UNREFERENCED_PARAMETER(HwContext);
    UNREFERENCED_PARAMETER(BusInformation);
    UNREFERENCED_PARAMETER(Reserved3);
    ConfigInfo->SynchronizationModel = StorSynchronizeFullDuplex;
    KeInitializeSpinLock(&ext->CounterLock);
    ULONG status = StorPortInitializeTimer(DeviceExtension, &ext->Timer);
    DbgPrint("MptFindAdapter arg %s timer status 0x%08lx\n", ArgumentString ? ArgumentString : "(none)", status);
    return status == STOR_STATUS_SUCCESS ? SP_RETURN_FOUND : SP_RETURN_ERROR;
}

static BOOLEAN MptInitialize(PVOID DeviceExtension)
{
    UNREFERENCED_PARAMETER(DeviceExtension);
    return TRUE;
}

static BOOLEAN MptStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PMPT_EXTENSION ext = (PMPT_EXTENSION)DeviceExtension;
    ULONG status;
    if (Srb->Function == SRB_FUNCTION_PNP) {
        PSCSI_PNP_REQUEST_BLOCK pnp = (PSCSI_PNP_REQUEST_BLOCK)Srb;
        DbgPrint("pnp action 0x%lx\n", pnp->PnPAction);
        Srb->SrbStatus = SRB_STATUS_SUCCESS;
        StorPortNotification(RequestComplete, DeviceExtension, Srb);
        return TRUE;
    }
    switch (Srb->Cdb[0]) {
    case MPT_CMD_ARM:
        status = StorPortRequestTimer(DeviceExtension, ext->Timer, MptTimerCallback, DeviceExtension, 10000, 0);
        DbgPrint("arm status 0x%08lx\n", status);
        status = StorPortRequestTimer(DeviceExtension, ext->Timer, MptTimerCallback, DeviceExtension, 10000, 0);
        DbgPrint("second arm status 0x%08lx\n", status);
        break;
    case MPT_CMD_CANCEL:
        status = StorPortRequestTimer(DeviceExtension, ext->Timer, MptTimerCallback, DeviceExtension, 0, 0);
        DbgPrint("cancel status 0x%08lx\n", status);
        break;
    case MPT_CMD_POLL:
        ext->RearmsLeft = 3;
        status = StorPortRequestTimer(DeviceExtension, ext->Timer, MptTimerCallback, DeviceExtension, 10000, 0);
        DbgPrint("poll status 0x%08lx\n", status);
        break;
    case MPT_CMD_FREE_IN_CALLBACK:
        ext->FreeInCallback = TRUE;
        status = StorPortRequestTimer(DeviceExtension, ext->Timer, MptTimerCallback, DeviceExtension, 5000, 0);
        DbgPrint("free-in-callback arm status 0x%08lx\n", status);
        break;
    case MPT_CMD_TAKE_STARTIO_LOCK: {
        STOR_LOCK_HANDLE handle;
        StorPortAcquireSpinLock(DeviceExtension, StartIoLock, NULL, &handle); /* already held: bug check, no return */
        DbgPrint("unreachable: the StartIo lock was taken twice\n");
        StorPortReleaseSpinLock(DeviceExtension, &handle);
        break;
    }
    case MPT_CMD_BUGCHECK:
        KeBugCheckEx(0xE2, 1, 2, 3, 4);
    case MPT_CMD_TOLERANT:
        status = StorPortRequestTimer(DeviceExtension, ext->Timer, MptTimerCallback, DeviceExtension, 2000, 1000);
        DbgPrint("tolerant arm status 0x%08lx\n", status);
        break;
    case MPT_CMD_KE_TIMER: {
        LARGE_INTEGER due;
        due.QuadPart = -200000; /* 20 ms, relative */
        KeInitializeTimerEx(&ext->KeTimer, NotificationTimer);
        KeInitializeDpc(&ext->KeDpc, MptKeDpc, ext);
        DbgPrint("ke set queued %u\n", (ULONG)KeSetTimerEx(&ext->KeTimer, due, 0, &ext->KeDpc));
        break;
    }
    case MPT_CMD_KE_DPC_QUEUED:
        KeInitializeDpc(&ext->KeDpc, MptKeDpc, ext);
        DbgPrint("ke dpc queued %u\n", (ULONG)KeInsertQueueDpc(&ext->KeDpc, NULL, NULL));
        break;
    case MPT_CMD_EX_TIMER:
        ext->ExTimer = ExAllocateTimer(MptExCallback, ext, 0);
        DbgPrint("ex set queued %u\n", (ULONG)ExSetTimer(ext->ExTimer, -300000, 0, NULL));
        break;
    case MPT_CMD_NEW_TIMER:
        if (ext->Timer != NULL) {
            status = StorPortFreeTimer(DeviceExtension, ext->Timer);
            ext->Timer = NULL;
            DbgPrint("free status 0x%08lx\n", status);
        }
        status = StorPortInitializeTimer(DeviceExtension, &ext->Timer);
        DbgPrint("new timer status 0x%08lx\n", status);
        break;
    case MPT_CMD_INIT_NULL:
        DbgPrint("init null status 0x%08lx\n", StorPortInitializeTimer(DeviceExtension, NULL));
        break;
    case MPT_CMD_FREE_TWICE: {
        PVOID timer = NULL;
        ULONG status = StorPortInitializeTimer(DeviceExtension, &timer);
        DbgPrint("free twice init 0x%08lx\n", status);
        DbgPrint("free twice first 0x%08lx\n", StorPortFreeTimer(DeviceExtension, timer));
        DbgPrint("free twice second 0x%08lx\n", StorPortFreeTimer(DeviceExtension, timer));
        DbgPrint("free twice request 0x%08lx\n", StorPortRequestTimer(DeviceExtension, timer, MptTimerCallback, DeviceExtension, 1000, 0));
        break;
    }
    case MPT_CMD_PRINT_FORMATS: {
        static WCHAR name[] = L"N\u00fcmero \u00e9t\u00e9";
        UNICODE_STRING unicode = { (USHORT)(sizeof name - sizeof(WCHAR)), (USHORT)sizeof name, name };
        ULONG ulong = 0xFFFFFFFFu;
        DbgPrint("formats %lx|%I64x|%ws|%wZ|%hd|%5.2s|%%|%c|%lu|%d\n", ulong, 0x123456789ABCDEF0ull, L"wide", &unicode, (SHORT)-2, "abcdef", 'Z', ulong, -7);
        break;
    }
    case MPT_CMD_ETW: {
        static WCHAR description[] = L"test event";
        static WCHAR first[] = L"First";
        static WCHAR second[] = L"Second";
        STORPORT_TELEMETRY_EVENT event;
        RtlZeroMemory(&event, sizeof event);
        event.EventId = 7;
        memcpy(event.EventName, "MptTelemetry", sizeof "MptTelemetry");
        memcpy(event.ParameterName0, "Value", sizeof "Value");
        event.ParameterValue0 = 0x2A;
        DbgPrint("etw status 0x%08lx\n", StorPortEtwEvent2(DeviceExtension, NULL, 5, description, 0x10, StorportEtwLevelWarning, StorportEtwEventOpcodeInfo, Srb, first, 1, second, 0xFF));
        DbgPrint("telemetry status 0x%08lx\n", StorPortLogTelemetry(DeviceExtension, NULL, &event));
        break;
    }
    case MPT_CMD_LEAK_POOL: {
        PVOID block = NULL;
        status = StorPortAllocatePool(DeviceExtension, 100, 'TPM0', &block);
        DbgPrint("pool status 0x%08lx zeroed %u\n", status, (ULONG)(block != NULL && ((PUCHAR)block)[99] == 0));
        break;
    }
    case MPT_CMD_REGISTRY: {
        ULONG value = 0x12345678, read = 0, length = sizeof read;
        PVOID buffer = &read;
        status = StorPortRegistryWriteAdapterKey(DeviceExtension, (PUCHAR)"Mpt", (PUCHAR)"Value", MINIPORT_REG_DWORD, &value, sizeof value);
        DbgPrint("registry write 0x%08lx\n", status);
        status = StorPortRegistryReadAdapterKey(DeviceExtension, (PUCHAR)"Mpt", (PUCHAR)"Value", MINIPORT_REG_DWORD, &buffer, &length);
        DbgPrint("registry read 0x%08lx value 0x%08lx length %lu\n", status, read, length);
        DbgPrint("registry missing 0x%08lx\n", StorPortRegistryReadAdapterKey(DeviceExtension, (PUCHAR)"Mpt", (PUCHAR)"Absent", MINIPORT_REG_DWORD, &buffer, &length));
        break;
    }
    case MPT_CMD_COMPLETE_ALL:
        DbgPrint("pending path %u\n", (ULONG)Srb->PathId);
        StorPortCompleteRequest(DeviceExtension, Srb->PathId, SP_UNTAGGED, SP_UNTAGGED, SRB_STATUS_ABORTED);
        return TRUE;
    case MPT_CMD_NUMA: {
        PROCESSOR_NUMBER processor = { 0xFFFF, 0xFF, 0xFF };
        USHORT groups = 0;
        KAFFINITY mask = 0;
        ULONG highest = 0xFFFFFFFFu;
        GROUP_AFFINITY node;
        memset(&node, 0xFF, sizeof node);
        status = StorPortGetCurrentProcessorNumber(DeviceExtension, &processor);
        DbgPrint("numa processor 0x%08lx group %u number %u\n", status, (ULONG)processor.Group, (ULONG)processor.Number);
        DbgPrint("numa processor null 0x%08lx\n", StorPortGetCurrentProcessorNumber(DeviceExtension, NULL));
        status = StorPortGetActiveGroupCount(DeviceExtension, &groups);
        DbgPrint("numa groups 0x%08lx count %u\n", status, (ULONG)groups);
        status = StorPortGetGroupAffinity(DeviceExtension, 0, &mask);
        DbgPrint("numa group 0 0x%08lx mask 0x%I64x\n", status, (ULONGLONG)mask);
        DbgPrint("numa group 1 0x%08lx\n", StorPortGetGroupAffinity(DeviceExtension, 1, &mask));
        status = StorPortGetHighestNodeNumber(DeviceExtension, &highest);
        DbgPrint("numa highest node 0x%08lx node %lu\n", status, highest);
        status = StorPortGetNodeAffinity(DeviceExtension, 0, &node);
        DbgPrint("numa node 0 0x%08lx group %u mask 0x%I64x reserved %u\n", status, (ULONG)node.Group, (ULONGLONG)node.Mask, (ULONG)node.Reserved[0]);
        DbgPrint("numa node 1 0x%08lx\n", StorPortGetNodeAffinity(DeviceExtension, 1, &node));
        break;
    }
    case MPT_CMD_PERF_TARGETS: {
        /* Three entries poisoned; the set names messages 0 and 1: Storport fills those two and leaves the third. */
        GROUP_AFFINITY targets[3];
        PERF_CONFIGURATION_DATA perf;
        memset(targets, 0xFF, sizeof targets);
        memset(&perf, 0, sizeof perf);
        perf.Version = STOR_PERF_VERSION;
        perf.Size = sizeof perf;
        status = StorPortInitializePerfOpts(DeviceExtension, TRUE, &perf);
        DbgPrint("perf query 0x%08lx flags 0x%lx\n", status, perf.Flags);
        perf.Flags = STOR_PERF_DPC_REDIRECTION | STOR_PERF_INTERRUPT_MESSAGE_RANGES | STOR_PERF_ADV_CONFIG_LOCALITY;
        perf.FirstRedirectionMessageNumber = 0;
        perf.LastRedirectionMessageNumber = 1;
        perf.MessageTargets = targets;
        status = StorPortInitializePerfOpts(DeviceExtension, FALSE, &perf);
        DbgPrint("perf set 0x%08lx\n", status);
        for (ULONG i = 0; i < 3; i++) {
            DbgPrint("perf target %lu group %u mask 0x%I64x reserved %u\n", i, (ULONG)targets[i].Group, (ULONGLONG)targets[i].Mask, (ULONG)targets[i].Reserved[0]);
        }
        break;
    }
    case MPT_CMD_CONTIGUOUS: {
        PHYSICAL_ADDRESS low, high, boundary;
        PVOID block = NULL;
        ULONG length = 0;
        low.QuadPart = 0;
        high.QuadPart = -1;
        boundary.QuadPart = 0;
        status = StorPortAllocateContiguousMemorySpecifyCacheNode(DeviceExtension, 8192, low, high, boundary, MmCached, MM_ANY_NODE_OK, &block);
        DbgPrint("contiguous allocate 0x%08lx\n", status);
        if (status == STOR_STATUS_SUCCESS) {
            STOR_PHYSICAL_ADDRESS physical = StorPortGetPhysicalAddress(DeviceExtension, NULL, (PUCHAR)block + 4096, &length);
            DbgPrint("contiguous page-aligned %u zeroed %u physical-nonzero %u contiguous-bytes %lu\n", (ULONG)(((ULONG_PTR)block & 0xFFF) == 0),
                     (ULONG)(((PUCHAR)block)[0] == 0 && ((PUCHAR)block)[8191] == 0), (ULONG)(physical.QuadPart != 0), length);
            DbgPrint("contiguous free 0x%08lx\n", StorPortFreeContiguousMemorySpecifyCache(DeviceExtension, block, 8192, MmCached));
            DbgPrint("contiguous free again 0x%08lx\n", StorPortFreeContiguousMemorySpecifyCache(DeviceExtension, block, 8192, MmCached));
        }
        break;
    }
    case MPT_CMD_REGISTRY_BUFFER: {
        ULONG length = 24, zero = 0;
        PUCHAR buffer = StorPortAllocateRegistryBuffer(DeviceExtension, &length);
        DbgPrint("registry buffer allocated %u zeroed %u\n", (ULONG)(buffer != NULL), (ULONG)(buffer != NULL && buffer[0] == 0 && buffer[23] == 0));
        StorPortFreeRegistryBuffer(DeviceExtension, buffer);
        DbgPrint("registry buffer empty %u\n", (ULONG)(StorPortAllocateRegistryBuffer(DeviceExtension, &zero) == NULL));
        break;
    }
    case MPT_CMD_LOG_ERROR:
        StorPortLogError(DeviceExtension, Srb, 0, 1, 2, SP_INTERNAL_ADAPTER_ERROR, 0x1234);
        break;
    case MPT_CMD_WMI: {
        SCSI_WMILIB_CONTEXT wmi;
        SCSIWMI_REQUEST_CONTEXT request;
        memset(&wmi, 0, sizeof wmi);
        memset(&request, 0, sizeof request);
        ScsiPortWmiDispatchFunction(&wmi, 0, DeviceExtension, &request, NULL, 0, NULL); /* a bug check: no return */
        DbgPrint("unreachable: ScsiPortWmiDispatchFunction returned\n");
        break;
    }
    case MPT_CMD_MM_PHYSICAL:
        MmGetPhysicalAddress(ext); /* a bug check: no return */
        DbgPrint("unreachable: MmGetPhysicalAddress returned\n");
        break;
    default:
        Srb->SrbStatus = SRB_STATUS_INVALID_REQUEST;
        StorPortNotification(RequestComplete, DeviceExtension, Srb);
        return TRUE;
    }
    Srb->SrbStatus = SRB_STATUS_SUCCESS;
    StorPortNotification(RequestComplete, DeviceExtension, Srb);
    return TRUE;
}

static BOOLEAN MptInterrupt(PVOID DeviceExtension)
{
    PMPT_EXTENSION ext = (PMPT_EXTENSION)DeviceExtension;
    ext->InterruptRequests++;
    /* At the device IRQL: the request is recorded now and applied when the IRQL drops (A11). */
    DbgPrint("MptInterrupt irql %u at %I64u\n", (ULONG)KeGetCurrentIrql(), KeQueryInterruptTime());
    StorPortNotification(RequestTimerCall, DeviceExtension, MptLegacyTimer, 1000);
    return TRUE;
}

static SCSI_ADAPTER_CONTROL_STATUS MptAdapterControl(PVOID DeviceExtension, SCSI_ADAPTER_CONTROL_TYPE ControlType, PVOID Parameters)
{
    PMPT_EXTENSION ext = (PMPT_EXTENSION)DeviceExtension;
    UNREFERENCED_PARAMETER(Parameters);
    if (ControlType == ScsiStopAdapter && ext->Timer != NULL) {
        DbgPrint("stop adapter\n");
    }
    return ScsiAdapterControlSuccess;
}

ULONG DriverEntry(PVOID DriverObject, PVOID RegistryPath)
{
    HW_INITIALIZATION_DATA init;
    RtlZeroMemory(&init, sizeof init);
    init.HwInitializationDataSize = sizeof(HW_INITIALIZATION_DATA);
    init.AdapterInterfaceType = PCIBus;
    init.HwFindAdapter = MptFindAdapter;
    init.HwInitialize = MptInitialize;
    init.HwStartIo = MptStartIo;
    init.HwInterrupt = MptInterrupt;
    init.HwAdapterControl = MptAdapterControl;
    init.DeviceExtensionSize = sizeof(MPT_EXTENSION);
    return StorPortInitialize(DriverObject, RegistryPath, &init, NULL);
}
