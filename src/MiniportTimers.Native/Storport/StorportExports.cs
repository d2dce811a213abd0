using MiniportTimers.Native.Interop;
using MiniportTimers.Storport;

namespace MiniportTimers.Native.Storport;

/// <summary>
/// The Storport DDIs a native miniport calls, by their C names (native/ddi/ddis.json): each turns the C arguments into
/// the host's objects and calls the same DDI a C# miniport calls (<see cref="StorPort"/>), so the semantics, the verifier
/// and the accounting are the library's. The guarded [UnmanagedCallersOnly] entries that call these are generated
/// (DdiEntries.g.cs): anything thrown here becomes a recorded bug check and the shim unwinds the driver's C frames.
/// </summary>
internal static unsafe partial class StorportExports
{
    private static uint StorPortInitialize(nint argument1, nint argument2, nint hwInitializationData, nint hwContext)
    {
        var driver = NativeStorportDriver.FromToken(argument1)
            ?? throw new ArgumentException("StorPortInitialize: Argument1 is not the DriverObject DriverEntry was given.", nameof(argument1));
        return driver.Initialize((NativeHwInitializationData*)hwInitializationData, hwContext);
    }

    private static void MptStorPortNotifyRequestTimerCall(nint hwDeviceExtension, nint hwStorTimer, uint miniportTimerValue)
    {
        HW_TIMER? timer = hwStorTimer == 0 ? null : NativeObjects.Callback(Driver("StorPortNotification(RequestTimerCall)"), hwStorTimer).Timer;
        StorPort.StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestTimerCall, NativeObjects.Extension(hwDeviceExtension), timer, miniportTimerValue);
    }

    private static void MptStorPortNotifyRequestComplete(nint hwDeviceExtension, nint srb) =>
        NativeStorportDriver.Complete(NativeObjects.Extension(hwDeviceExtension), srb);

    private static void MptStorPortNotifyNextRequest(nint hwDeviceExtension) =>
        StorPort.StorPortNotification(SCSI_NOTIFICATION_TYPE.NextRequest, NativeObjects.Extension(hwDeviceExtension));

    private static uint StorPortInitializeTimer(nint hwDeviceExtension, nint timerHandle)
    {
        if (timerHandle == 0)
        {
            // Nowhere to return the handle: the C# surface cannot express this call (its handle is an out parameter), so
            // the answer is the one Storport documents for a bad parameter, and nothing is created.
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        var status = StorPort.StorPortInitializeTimer(NativeObjects.Extension(hwDeviceExtension), out var handle);
        *(nint*)timerHandle = handle is null ? 0 : NativeObjects.TimerHandles.Add(handle);
        return status;
    }

    private static uint StorPortRequestTimer(nint hwDeviceExtension, nint timerHandle, nint timerCallback, nint callbackContext, ulong timerValue, ulong tolerableDelay)
    {
        HW_TIMER_EX? routine = timerCallback == 0 ? null : NativeObjects.Callback(Driver(nameof(StorPort.StorPortRequestTimer)), timerCallback).TimerEx;
        return StorPort.StorPortRequestTimer(NativeObjects.Extension(hwDeviceExtension), NativeObjects.TimerHandles.Get(timerHandle), routine, NativeCallback.Boxed(callbackContext), timerValue, tolerableDelay);
    }

    private static uint StorPortFreeTimer(nint hwDeviceExtension, nint timerHandle)
    {
        var extension = NativeObjects.Extension(hwDeviceExtension);
        if (NativeObjects.TimerHandles.Find(timerHandle, out var handle) == HandleState.Freed)
        {
            return StorPort.StorPortFreeTimerOfFreedHandle(extension); // what a second free of the C# handle object gives
        }

        var status = StorPort.StorPortFreeTimer(extension, handle);
        if (status == StorPort.STOR_STATUS_SUCCESS)
        {
            NativeObjects.TimerHandles.Remove(timerHandle);
        }

        return status;
    }

    private static void StorPortAcquireSpinLock(nint hwDeviceExtension, uint spinLock, nint lockContext, nint lockHandle)
    {
        ArgumentOutOfRangeException.ThrowIfZero(lockHandle);
        var handle = default(STOR_LOCK_HANDLE);
        StorPort.StorPortAcquireSpinLock(NativeObjects.Extension(hwDeviceExtension), (STOR_SPINLOCK)spinLock, NativeCallback.Boxed(lockContext), ref handle);
        ((NativeStorLockHandle*)lockHandle)->Lock = spinLock;
        NativeObjects.SetLockHandle(lockHandle, handle);
    }

    private static void StorPortReleaseSpinLock(nint hwDeviceExtension, nint lockHandle)
    {
        var handle = NativeObjects.TakeLockHandle(lockHandle);
        StorPort.StorPortReleaseSpinLock(NativeObjects.Extension(hwDeviceExtension), ref handle);
    }

    private static byte StorPortSynchronizeAccess(nint hwDeviceExtension, nint synchronizedAccessRoutine, nint context)
    {
        var driver = Driver(nameof(StorPort.StorPortSynchronizeAccess));
        var result = StorPort.StorPortSynchronizeAccess(NativeObjects.Extension(hwDeviceExtension), (ext, ctx) =>
            DdiGuard.Call(driver, driver.NameOf(synchronizedAccessRoutine), (synchronizedAccessRoutine, NativeCallback.Address(ext), NativeCallback.Pointer(ctx)), static (d, s, f) =>
                d.Shim.CallSynchronized(s.synchronizedAccessRoutine, s.Item2, s.Item3, f)) != 0, NativeCallback.Boxed(context));
        return result ? (byte)1 : (byte)0;
    }

    private static void StorPortInitializeDpc(nint hwDeviceExtension, nint dpc, nint hwDpcRoutine)
    {
        var callback = NativeObjects.Callback(Driver(nameof(StorPort.StorPortInitializeDpc)), hwDpcRoutine);
        var managed = new STOR_DPC();
        StorPort.StorPortInitializeDpc(NativeObjects.Extension(hwDeviceExtension), managed, (_, ext, a1, a2) =>
            DdiGuard.Call(callback.Driver, callback.CallbackName, (callback.Routine, dpc, NativeCallback.Address(ext), NativeCallback.Pointer(a1), NativeCallback.Pointer(a2)), static (d, s, f) =>
            {
                d.Shim.CallDpc(s.Routine, s.dpc, s.Item3, s.Item4, s.Item5, f);
                return 0;
            }));
        NativeObjects.AddDpc(dpc, managed, callback);
    }

    private static byte StorPortIssueDpc(nint hwDeviceExtension, nint dpc, nint systemArgument1, nint systemArgument2)
    {
        if (NativeObjects.Dpc(dpc) is not { } managed)
        {
            return 0; // never initialized: FALSE, as for a C# STOR_DPC
        }

        return StorPort.StorPortIssueDpc(NativeObjects.Extension(hwDeviceExtension), managed, NativeCallback.Boxed(systemArgument1), NativeCallback.Boxed(systemArgument2)) ? (byte)1 : (byte)0;
    }

    private static byte StorPortEnablePassiveInitialization(nint hwDeviceExtension, nint hwPassiveInitializeRoutine)
    {
        HW_PASSIVE_INITIALIZE_ROUTINE passive = NativeObjects.Callback(Driver(nameof(StorPort.StorPortEnablePassiveInitialization)), hwPassiveInitializeRoutine).Boolean;
        return StorPort.StorPortEnablePassiveInitialization(NativeObjects.Extension(hwDeviceExtension), passive) ? (byte)1 : (byte)0;
    }

    private static byte StorPortPause(nint hwDeviceExtension, uint timeOut) =>
        StorPort.StorPortPause(NativeObjects.Extension(hwDeviceExtension), timeOut) ? (byte)1 : (byte)0;

    private static byte StorPortResume(nint hwDeviceExtension) =>
        StorPort.StorPortResume(NativeObjects.Extension(hwDeviceExtension)) ? (byte)1 : (byte)0;

    private static void StorPortStallExecution(uint delay) => StorPort.StorPortStallExecution(delay);

    private static void StorPortQuerySystemTime(nint currentTime)
    {
        ArgumentOutOfRangeException.ThrowIfZero(currentTime);
        StorPort.StorPortQuerySystemTime(out *(long*)currentTime);
    }

    private static NativeDriver Driver(string routine) =>
        DdiGuard.CurrentDriver ?? throw new InvalidOperationException($"{routine} was called from C code the host did not call (no driver routine is running on this thread).");
}
