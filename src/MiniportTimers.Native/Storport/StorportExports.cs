using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MiniportTimers.Native.Interop;
using MiniportTimers.Storport;

namespace MiniportTimers.Native.Storport;

/// <summary>
/// The Storport DDIs a native miniport calls, as [UnmanagedCallersOnly] entry points of the DDI table: each turns the
/// C arguments into the host's objects and calls the same DDI a C# miniport calls (<see cref="StorPort"/>), so the
/// semantics, the verifier and the accounting are the library's. Nothing escapes to C: a bug check or exception is
/// recorded and the shim unwinds the driver's C frames (<see cref="DdiGuard"/>).
/// </summary>
internal static unsafe class StorportExports
{
    public static void Fill(MptDdiTable* t)
    {
        t->StorPortInitialize = &StorPortInitialize;
        t->NotifyRequestTimerCall = &NotifyRequestTimerCall;
        t->NotifyRequestComplete = &NotifyRequestComplete;
        t->NotifyNextRequest = &NotifyNextRequest;
        t->InitializeTimer = &InitializeTimer;
        t->RequestTimer = &RequestTimer;
        t->FreeTimer = &FreeTimer;
        t->AcquireSpinLock = &AcquireSpinLock;
        t->ReleaseSpinLock = &ReleaseSpinLock;
        t->SynchronizeAccess = &SynchronizeAccess;
        t->InitializeDpc = &InitializeDpc;
        t->IssueDpc = &IssueDpc;
        t->EnablePassiveInitialization = &EnablePassiveInitialization;
        t->Pause = &Pause;
        t->Resume = &Resume;
        t->StallExecution = &StallExecution;
        t->QuerySystemTime = &QuerySystemTime;
    }

    private static NativeDriver Driver([CallerMemberName] string routine = "") =>
        DdiGuard.CurrentDriver ?? throw new InvalidOperationException($"{routine} was called from C code the host did not call (no driver routine is running on this thread).");

    [UnmanagedCallersOnly]
    private static uint StorPortInitialize(nint argument1, nint argument2, nint data, nint hwContext)
    {
        try
        {
            var driver = NativeStorportDriver.FromToken(argument1)
                ?? throw new ArgumentException("StorPortInitialize: Argument1 is not the DriverObject DriverEntry was given.", nameof(argument1));
            return driver.Initialize((NativeHwInitializationData*)data, hwContext);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "StorPortInitialize");
            return 0xC000000D;
        }
    }

    [UnmanagedCallersOnly]
    private static void NotifyRequestTimerCall(nint extension, nint routine, uint microseconds)
    {
        try
        {
            HW_TIMER? timer = routine == 0 ? null : NativeObjects.Callback(Driver(), routine).Timer;
            StorPort.StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestTimerCall, NativeObjects.Extension(extension), timer, microseconds);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "StorPortNotification(RequestTimerCall)");
        }
    }

    [UnmanagedCallersOnly]
    private static void NotifyRequestComplete(nint extension, nint srb)
    {
        try
        {
            NativeStorportDriver.Complete(NativeObjects.Extension(extension), srb);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "StorPortNotification(RequestComplete)");
        }
    }

    [UnmanagedCallersOnly]
    private static void NotifyNextRequest(nint extension)
    {
        try
        {
            StorPort.StorPortNotification(SCSI_NOTIFICATION_TYPE.NextRequest, NativeObjects.Extension(extension));
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "StorPortNotification(NextRequest)");
        }
    }

    [UnmanagedCallersOnly]
    private static uint InitializeTimer(nint extension, nint* timerHandle)
    {
        try
        {
            var status = StorPort.StorPortInitializeTimer(NativeObjects.Extension(extension), out var handle);
            if (timerHandle is not null)
            {
                *timerHandle = handle is null ? 0 : NativeObjects.AddTimerHandle(handle);
            }

            return status;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, nameof(StorPort.StorPortInitializeTimer));
            return StorPort.STOR_STATUS_UNSUCCESSFUL;
        }
    }

    [UnmanagedCallersOnly]
    private static uint RequestTimer(nint extension, nint timerHandle, nint callback, nint context, ulong microseconds, ulong tolerableDelayMicroseconds)
    {
        try
        {
            HW_TIMER_EX? routine = callback == 0 ? null : NativeObjects.Callback(Driver(), callback).TimerEx;
            return StorPort.StorPortRequestTimer(NativeObjects.Extension(extension), NativeObjects.TimerHandle(timerHandle), routine, NativeCallback.Boxed(context), microseconds, tolerableDelayMicroseconds);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, nameof(StorPort.StorPortRequestTimer));
            return StorPort.STOR_STATUS_UNSUCCESSFUL;
        }
    }

    [UnmanagedCallersOnly]
    private static uint FreeTimer(nint extension, nint timerHandle)
    {
        try
        {
            var status = StorPort.StorPortFreeTimer(NativeObjects.Extension(extension), NativeObjects.TimerHandle(timerHandle));
            if (status == StorPort.STOR_STATUS_SUCCESS)
            {
                NativeObjects.RemoveTimerHandle(timerHandle);
            }

            return status;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, nameof(StorPort.StorPortFreeTimer));
            return StorPort.STOR_STATUS_UNSUCCESSFUL;
        }
    }

    [UnmanagedCallersOnly]
    private static void AcquireSpinLock(nint extension, uint spinLock, nint lockHandle)
    {
        try
        {
            var handle = default(STOR_LOCK_HANDLE);
            StorPort.StorPortAcquireSpinLock(NativeObjects.Extension(extension), (STOR_SPINLOCK)spinLock, null, ref handle);
            ((NativeStorLockHandle*)lockHandle)->Lock = spinLock;
            NativeObjects.SetLockHandle(lockHandle, handle);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, nameof(StorPort.StorPortAcquireSpinLock));
        }
    }

    [UnmanagedCallersOnly]
    private static void ReleaseSpinLock(nint extension, nint lockHandle)
    {
        try
        {
            var handle = NativeObjects.TakeLockHandle(lockHandle);
            StorPort.StorPortReleaseSpinLock(NativeObjects.Extension(extension), ref handle);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, nameof(StorPort.StorPortReleaseSpinLock));
        }
    }

    [UnmanagedCallersOnly]
    private static byte SynchronizeAccess(nint extension, nint routine, nint context)
    {
        try
        {
            var driver = Driver();
            var result = StorPort.StorPortSynchronizeAccess(NativeObjects.Extension(extension), (ext, ctx) =>
                DdiGuard.Call(driver, driver.NameOf(routine), (routine, NativeCallback.Address(ext), NativeCallback.Pointer(ctx)), static (d, s, f) =>
                    d.Shim.CallSynchronized(s.routine, s.Item2, s.Item3, f)) != 0, NativeCallback.Boxed(context));
            return result ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, nameof(StorPort.StorPortSynchronizeAccess));
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static void InitializeDpc(nint extension, nint dpcStorage, nint routine)
    {
        try
        {
            var callback = NativeObjects.Callback(Driver(), routine);
            var dpc = new STOR_DPC();
            StorPort.StorPortInitializeDpc(NativeObjects.Extension(extension), dpc, (_, ext, a1, a2) =>
                DdiGuard.Call(callback.Driver, callback.CallbackName, (callback.Routine, dpcStorage, NativeCallback.Address(ext), NativeCallback.Pointer(a1), NativeCallback.Pointer(a2)), static (d, s, f) =>
                {
                    d.Shim.CallDpc(s.Routine, s.dpcStorage, s.Item3, s.Item4, s.Item5, f);
                    return 0;
                }));
            NativeObjects.AddDpc(dpcStorage, dpc, callback);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, nameof(StorPort.StorPortInitializeDpc));
        }
    }

    [UnmanagedCallersOnly]
    private static byte IssueDpc(nint extension, nint dpcStorage, nint systemArgument1, nint systemArgument2)
    {
        try
        {
            if (NativeObjects.Dpc(dpcStorage) is not { } dpc)
            {
                return 0; // never initialized: FALSE, as for a C# STOR_DPC
            }

            return StorPort.StorPortIssueDpc(NativeObjects.Extension(extension), dpc, NativeCallback.Boxed(systemArgument1), NativeCallback.Boxed(systemArgument2)) ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, nameof(StorPort.StorPortIssueDpc));
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static byte EnablePassiveInitialization(nint extension, nint routine)
    {
        try
        {
            HW_PASSIVE_INITIALIZE_ROUTINE passive = NativeObjects.Callback(Driver(), routine).Boolean;
            return StorPort.StorPortEnablePassiveInitialization(NativeObjects.Extension(extension), passive) ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, nameof(StorPort.StorPortEnablePassiveInitialization));
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static byte Pause(nint extension, uint seconds)
    {
        try
        {
            return StorPort.StorPortPause(NativeObjects.Extension(extension), seconds) ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, nameof(StorPort.StorPortPause));
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static byte Resume(nint extension)
    {
        try
        {
            return StorPort.StorPortResume(NativeObjects.Extension(extension)) ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, nameof(StorPort.StorPortResume));
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static void StallExecution(uint microseconds)
    {
        try
        {
            StorPort.StorPortStallExecution(microseconds);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, nameof(StorPort.StorPortStallExecution));
        }
    }

    [UnmanagedCallersOnly]
    private static uint QuerySystemTime(nint extension, long* currentTime)
    {
        try
        {
            var status = StorPort.StorPortQuerySystemTime(NativeObjects.Extension(extension), out var time);
            if (currentTime is not null)
            {
                *currentTime = time;
            }

            return status;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, nameof(StorPort.StorPortQuerySystemTime));
            return StorPort.STOR_STATUS_UNSUCCESSFUL;
        }
    }
}
