using MiniportTimers.Native.Interop;
using MiniportTimers.Ndis;

namespace MiniportTimers.Native.Ndis;

/// <summary>
/// The NDIS registration, timer and interrupt DDIs a native miniport calls, by their C names (native/ddi/ddis.json),
/// over the flat C# DDIs (<see cref="NdisApi"/>, <see cref="NdisHost"/>): the semantics, verifier and accounting are the
/// library's. The guarded [UnmanagedCallersOnly] entries that call these are generated (DdiEntries.g.cs).
/// </summary>
internal static unsafe partial class NdisExports
{
    /// <summary>NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES: the attributes that carry the MiniportAdapterContext.</summary>
    private const byte NdisObjectTypeRegistrationAttributes = 0x9E;

    private static int NdisMRegisterMiniportDriver(nint driverObject, nint registryPath, nint miniportDriverContext, nint miniportDriverCharacteristics, nint ndisMiniportDriverHandle)
    {
        var driver = NativeNdisDriver.FromToken(driverObject)
            ?? throw new ArgumentException("NdisMRegisterMiniportDriver: DriverObject is not the one DriverEntry was given.", nameof(driverObject));
        return driver.Register((NativeMiniportCharacteristics*)miniportDriverCharacteristics, miniportDriverContext, (nint*)ndisMiniportDriverHandle);
    }

    private static int NdisMSetMiniportAttributes(nint ndisMiniportAdapterHandle, nint miniportAttributes)
    {
        ArgumentOutOfRangeException.ThrowIfZero(miniportAttributes);
        var adapter = NativeNdisObjects.RequireAdapter(ndisMiniportAdapterHandle, nameof(NdisMSetMiniportAttributes));
        if (*(byte*)miniportAttributes != NdisObjectTypeRegistrationAttributes)
        {
            // General, offload and other attributes describe the adapter to protocols; the host has none to tell.
            return unchecked((int)NdisApi.NDIS_STATUS_SUCCESS);
        }

        var context = *(nint*)(miniportAttributes + 8); // NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES.MiniportAdapterContext
        return unchecked((int)NdisApi.NdisMSetMiniportAttributes(adapter, context));
    }

    private static void NdisMPauseComplete(nint miniportAdapterHandle) =>
        NdisApi.NdisMPauseComplete(NativeNdisObjects.RequireAdapter(miniportAdapterHandle, nameof(NdisMPauseComplete)));

    private static void NdisMResetComplete(nint miniportAdapterHandle, int status, byte addressingReset) =>
        NdisApi.NdisMResetComplete(NativeNdisObjects.RequireAdapter(miniportAdapterHandle, nameof(NdisMResetComplete)), unchecked((uint)status), addressingReset != 0);

    private static void NdisMInitializeTimer(nint timer, nint miniportAdapterHandle, nint timerFunction, nint functionContext)
    {
        ArgumentOutOfRangeException.ThrowIfZero(timer);
        ArgumentOutOfRangeException.ThrowIfZero(timerFunction);
        var callback = DdiGuard.RequireDriver(nameof(NdisMInitializeTimer)).Callback(timerFunction);
        NdisApi.NdisMInitializeTimer(NativeNdisObjects.Ndis5Timer(callback.Driver, timer), NativeNdisObjects.RequireAdapter(miniportAdapterHandle, nameof(NdisMInitializeTimer)), callback.NdisTimer, NativeCallback.Boxed(functionContext));
    }

    private static void NdisMSetTimer(nint timer, uint millisecondsToDelay) =>
        NdisApi.NdisMSetTimer(NativeNdisObjects.Ndis5Timer(DdiGuard.RequireDriver(nameof(NdisMSetTimer)), timer), millisecondsToDelay);

    private static void NdisMSetPeriodicTimer(nint timer, uint millisecondsPeriod) =>
        NdisApi.NdisMSetPeriodicTimer(NativeNdisObjects.Ndis5Timer(DdiGuard.RequireDriver(nameof(NdisMSetPeriodicTimer)), timer), millisecondsPeriod);

    private static void NdisMCancelTimer(nint timer, nint timerCancelled)
    {
        NdisApi.NdisMCancelTimer(NativeNdisObjects.Ndis5Timer(DdiGuard.RequireDriver(nameof(NdisMCancelTimer)), timer), out var cancelled);
        if (timerCancelled != 0)
        {
            *(byte*)timerCancelled = cancelled ? (byte)1 : (byte)0;
        }
    }

    private static int NdisAllocateTimerObject(nint ndisHandle, nint timerCharacteristics, nint pTimerObject)
    {
        NDIS_TIMER_CHARACTERISTICS? managed = null;
        if (timerCharacteristics != 0)
        {
            var c = *(NativeTimerCharacteristics*)timerCharacteristics;
            managed = new NDIS_TIMER_CHARACTERISTICS
            {
                Header = new NDIS_OBJECT_HEADER(c.Type, c.Revision, c.Size),
                AllocationTag = c.AllocationTag,
                TimerFunction = c.TimerFunction == 0 ? null : DdiGuard.RequireDriver(nameof(NdisAllocateTimerObject)).Callback(c.TimerFunction).NdisTimer,
                FunctionContext = NativeCallback.Boxed(c.FunctionContext),
            };
        }

        var status = NdisApi.NdisAllocateTimerObject(NativeNdisDriver.Handle(ndisHandle), managed, out var allocated);
        if (pTimerObject != 0)
        {
            *(nint*)pTimerObject = allocated is null ? 0 : NativeNdisObjects.AddTimerObject(allocated);
        }

        return unchecked((int)status);
    }

    private static byte NdisSetTimerObject(nint timerObject, long dueTime, int millisecondsPeriod, nint functionContext) =>
        TimerObject(timerObject, nameof(NdisSetTimerObject)) is { } live && NdisApi.NdisSetTimerObject(live, dueTime, millisecondsPeriod, NativeCallback.Boxed(functionContext)) ? (byte)1 : (byte)0;

    private static byte NdisSetCoalescableTimerObject(nint timerObject, long dueTime, int millisecondsPeriod, nint functionContext, uint tolerance) =>
        TimerObject(timerObject, nameof(NdisSetCoalescableTimerObject)) is { } live && NdisApi.NdisSetCoalescableTimerObject(live, dueTime, millisecondsPeriod, NativeCallback.Boxed(functionContext), tolerance) ? (byte)1 : (byte)0;

    private static byte NdisCancelTimerObject(nint timerObject) =>
        TimerObject(timerObject, nameof(NdisCancelTimerObject)) is { } live && NdisApi.NdisCancelTimerObject(live) ? (byte)1 : (byte)0;

    private static void NdisFreeTimerObject(nint timerObject)
    {
        switch (NativeNdisObjects.TimerObjects.Find(timerObject, out var live, out var tombstone))
        {
            case HandleState.Live:
                NdisApi.NdisFreeTimerObject(live!);
                NativeNdisObjects.TimerObjects.Remove(timerObject, NativeNdisObjects.Tombstone(live!.Timer.NdisHost));
                break;
            case HandleState.Freed when NativeNdisObjects.HostOf(tombstone) is { } host:
                NdisApi.TimerObjectFreedTwice(host, MiniportTimers.Hosting.MiniportHost.DriverTrack); // the decision a second free of the C# object gets
                break;
            default:
                throw new ArgumentException($"NdisFreeTimerObject: 0x{timerObject:X} is not a timer object the host allocated.", nameof(timerObject));
        }
    }

    private static int NdisMRegisterInterruptEx(nint miniportAdapterHandle, nint miniportInterruptContext, nint miniportInterruptCharacteristics, nint ndisInterruptHandle)
    {
        var driver = DdiGuard.RequireDriver(nameof(NdisMRegisterInterruptEx));
        var isr = miniportInterruptCharacteristics == 0 ? 0 : *(nint*)(miniportInterruptCharacteristics + 8);
        var dpc = miniportInterruptCharacteristics == 0 ? 0 : *(nint*)(miniportInterruptCharacteristics + 16);
        var managed = new NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS
        {
            InterruptHandler = isr == 0 ? null : driver.Callback(isr).Isr,
            InterruptDpcHandler = dpc == 0 ? null : driver.Callback(dpc).InterruptDpc,
        };
        var status = NdisApi.NdisMRegisterInterruptEx(NativeNdisObjects.RequireAdapter(miniportAdapterHandle, nameof(NdisMRegisterInterruptEx)), NativeCallback.Boxed(miniportInterruptContext), managed, out var handle);
        if (ndisInterruptHandle != 0)
        {
            *(nint*)ndisInterruptHandle = handle is null ? 0 : NativeNdisObjects.Interrupts.Add(handle);
        }

        return unchecked((int)status);
    }

    private static void NdisMDeregisterInterruptEx(nint ndisInterruptHandle)
    {
        NdisApi.NdisMDeregisterInterruptEx(Interrupt(ndisInterruptHandle, nameof(NdisMDeregisterInterruptEx)));
        NativeNdisObjects.Interrupts.Remove(ndisInterruptHandle);
    }

    private static byte NdisMSynchronizeWithInterruptEx(nint ndisInterruptHandle, uint messageId, nint synchronizeFunction, nint synchronizeContext)
    {
        ArgumentOutOfRangeException.ThrowIfZero(synchronizeFunction);
        var routine = DdiGuard.RequireDriver(nameof(NdisMSynchronizeWithInterruptEx)).Callback(synchronizeFunction);
        return NdisApi.NdisMSynchronizeWithInterruptEx(Interrupt(ndisInterruptHandle, nameof(NdisMSynchronizeWithInterruptEx)), messageId, routine.Synchronize, NativeCallback.Boxed(synchronizeContext)) ? (byte)1 : (byte)0;
    }

    private static NdisInterrupt Interrupt(nint handle, string routine) =>
        NativeNdisObjects.Interrupts.Get(handle) ?? throw new ArgumentException($"{routine}: 0x{handle:X} is not an interrupt handle the host gave this driver.", nameof(handle));

    /// <summary>The live timer object of <paramref name="handle"/>; null for a freed one with the verifier off (after the finding: the DDI answers FALSE).</summary>
    private static NdisTimerObject? TimerObject(nint handle, string routine)
    {
        switch (NativeNdisObjects.TimerObjects.Find(handle, out var live, out var tombstone))
        {
            case HandleState.Live:
                return live!;
            case HandleState.Freed when NativeNdisObjects.HostOf(tombstone) is { } host:
                NdisApi.FreedTimerObjectUsed(host, routine); // the decision a use of the freed C# object gets
                return null;
            default:
                throw new ArgumentException($"{routine}: 0x{handle:X} is not a timer object the host allocated.", nameof(handle));
        }
    }
}
