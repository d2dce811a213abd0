using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Native.Interop;

namespace MiniportTimers.Native.Kernel;

/// <summary>
/// The kernel routines a native miniport calls (IRQL, executive spin locks, clock reads, stall, debug print, bug
/// check), as [UnmanagedCallersOnly] entry points of the DDI table over the flat C# surface (<see cref="Ke"/>).
/// </summary>
internal static unsafe class KernelExports
{
    public static void Fill(MptDdiTable* t)
    {
        t->GetCurrentIrql = &GetCurrentIrql;
        t->InitializeSpinLock = &InitializeSpinLock;
        t->AcquireSpinLockRaiseToDpc = &AcquireSpinLockRaiseToDpc;
        t->ReleaseSpinLockKe = &ReleaseSpinLock;
        t->AcquireSpinLockAtDpcLevel = &AcquireSpinLockAtDpcLevel;
        t->ReleaseSpinLockFromDpcLevel = &ReleaseSpinLockFromDpcLevel;
        t->QueryInterruptTime = &QueryInterruptTime;
        t->KeQuerySystemTime = &QuerySystemTime;
        t->StallExecutionProcessor = &StallExecutionProcessor;
        t->DebugPrint = &DebugPrint;
        t->BugCheck = &BugCheck;
        t->KeRaiseIrql = &RaiseIrql;
        t->KeLowerIrql = &LowerIrql;
        t->KeInitializeDpc = &InitializeDpc;
        t->KeInsertQueueDpc = &InsertQueueDpc;
        t->KeRemoveQueueDpc = &RemoveQueueDpc;
        t->KeFlushQueuedDpcs = &FlushQueuedDpcs;
        t->KeInitializeTimerEx = &InitializeTimerEx;
        t->KeSetTimer = &SetTimer;
        t->KeCancelTimer = &CancelTimer;
        t->KeReadStateTimer = &ReadStateTimer;
        t->ExAllocateTimer = &ExAllocateTimer;
        t->ExSetTimer = &ExSetTimer;
        t->ExCancelTimer = &ExCancelTimer;
        t->ExDeleteTimer = &ExDeleteTimer;
        t->KeQueryPerformanceCounter = &QueryPerformanceCounter;
        t->KeQueryTimeIncrement = &QueryTimeIncrement;
        t->KeQueryTickCount = &QueryTickCount;
        t->ExSetTimerResolution = &SetTimerResolution;
        t->KeTryToAcquireSpinLockAtDpcLevel = &TryToAcquireSpinLockAtDpcLevel;
        t->KeSetDpcProperty = &SetDpcProperty;
        t->KeQueryDpcWatchdogInformation = &QueryDpcWatchdogInformation;
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static byte TryToAcquireSpinLockAtDpcLevel(nint spinLock)
    {
        try
        {
            ArgumentOutOfRangeException.ThrowIfZero(spinLock);
            return Ke.KeTryToAcquireSpinLockAtDpcLevel(NativeSpinLocks.At(spinLock)) ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeTryToAcquireSpinLockAtDpcLevel");
            return 0;
        }
    }

    /// <summary>KeSetImportanceDpc (which 0) and KeSetTargetProcessorDpc(Ex) (which 1): an NTSTATUS.</summary>
    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static int SetDpcProperty(nint dpc, uint which, uint value)
    {
        var routine = which == 0 ? "KeSetImportanceDpc" : "KeSetTargetProcessorDpc";
        try
        {
            var d = NativeKernelObjects.Dpc(DdiGuard.RequireDriver(routine), dpc);
            if (which == 0)
            {
                Ke.KeSetImportanceDpc(d, (KDPC_IMPORTANCE)value);
                return 0;
            }

            return unchecked((int)Ke.KeSetTargetProcessorDpc(d, (int)value));
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, routine);
            return unchecked((int)0xC000000D);
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void QueryDpcWatchdogInformation(uint* information)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(information);
            Ke.KeQueryDpcWatchdogInformation(out var info);
            (information[0], information[1], information[2], information[3]) = (info.DpcTimeLimit, info.DpcTimeCount, info.DpcWatchdogLimit, info.DpcWatchdogCount);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeQueryDpcWatchdogInformation");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static long QueryPerformanceCounter(long* frequency)
    {
        try
        {
            var counter = Ke.KeQueryPerformanceCounter(out var f);
            *frequency = f;
            return counter;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeQueryPerformanceCounter");
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static uint QueryTimeIncrement() => Ke.KeQueryTimeIncrement();

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static long QueryTickCount()
    {
        try
        {
            Ke.KeQueryTickCount(out var count);
            return count;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeQueryTickCount");
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static uint SetTimerResolution(uint desiredTime, byte setResolution) => Ex.ExSetTimerResolution(desiredTime, setResolution != 0);

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void RaiseIrql(byte newIrql, byte* oldIrql)
    {
        try
        {
            Ke.KeRaiseIrql((KIRQL)newIrql, out var old);
            *oldIrql = (byte)old;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeRaiseIrql");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void LowerIrql(byte newIrql)
    {
        try
        {
            Ke.KeLowerIrql((KIRQL)newIrql);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeLowerIrql");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void InitializeDpc(nint dpc, nint routine, nint context)
    {
        try
        {
            ArgumentOutOfRangeException.ThrowIfZero(routine);
            var driver = DdiGuard.RequireDriver("KeInitializeDpc");
            Ke.KeInitializeDpc(NativeKernelObjects.Dpc(driver, dpc), driver.Callback(routine).DeferredRoutine, NativeCallback.Boxed(context));
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeInitializeDpc");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static byte InsertQueueDpc(nint dpc, nint systemArgument1, nint systemArgument2)
    {
        try
        {
            return Ke.KeInsertQueueDpc(NativeKernelObjects.Dpc(DdiGuard.RequireDriver("KeInsertQueueDpc"), dpc), NativeCallback.Boxed(systemArgument1), NativeCallback.Boxed(systemArgument2)) ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeInsertQueueDpc");
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static byte RemoveQueueDpc(nint dpc)
    {
        try
        {
            return Ke.KeRemoveQueueDpc(NativeKernelObjects.Dpc(DdiGuard.RequireDriver("KeRemoveQueueDpc"), dpc)) ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeRemoveQueueDpc");
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void FlushQueuedDpcs()
    {
        try
        {
            Ke.KeFlushQueuedDpcs();
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeFlushQueuedDpcs");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void InitializeTimerEx(nint timer, uint type)
    {
        try
        {
            Ke.KeInitializeTimerEx(NativeKernelObjects.Timer(DdiGuard.RequireDriver("KeInitializeTimerEx"), timer), (MiniportTimers.Kernel.Timers.TIMER_TYPE)type);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeInitializeTimerEx");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static byte SetTimer(nint timer, long dueTime100ns, uint periodMilliseconds, uint tolerableDelayMilliseconds, nint dpc, uint which)
    {
        var routine = which == 1 ? "KeSetCoalescableTimer" : "KeSetTimerEx";
        try
        {
            var driver = DdiGuard.RequireDriver(routine);
            var t = NativeKernelObjects.Timer(driver, timer);
            var d = dpc == 0 ? null : NativeKernelObjects.Dpc(driver, dpc);
            var queued = which == 1
                ? Ke.KeSetCoalescableTimer(t, dueTime100ns, periodMilliseconds, tolerableDelayMilliseconds, d)
                : Ke.KeSetTimerEx(t, dueTime100ns, checked((int)periodMilliseconds), d);
            return queued ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, routine);
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static byte CancelTimer(nint timer)
    {
        try
        {
            return Ke.KeCancelTimer(NativeKernelObjects.Timer(DdiGuard.RequireDriver("KeCancelTimer"), timer)) ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeCancelTimer");
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static byte ReadStateTimer(nint timer)
    {
        try
        {
            return Ke.KeReadStateTimer(NativeKernelObjects.Timer(DdiGuard.RequireDriver("KeReadStateTimer"), timer)) ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeReadStateTimer");
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static nint ExAllocateTimer(nint callback, nint context, uint attributes)
    {
        try
        {
            var driver = DdiGuard.RequireDriver("ExAllocateTimer");
            MiniportTimers.Kernel.Timers.EXT_CALLBACK? routine = callback == 0 ? null : driver.Callback(callback).ExTimerCallback;
            return Ex.ExAllocateTimer(routine, NativeCallback.Boxed(context), attributes) is { } timer ? NativeKernelObjects.AddExTimer(timer) : 0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "ExAllocateTimer");
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static byte ExSetTimer(nint timer, long dueTime100ns, long period100ns, nint parameters)
    {
        try
        {
            var t = NativeKernelObjects.ExTimer(timer) ?? throw new ArgumentException($"ExSetTimer: 0x{timer:X} is not a timer ExAllocateTimer returned.", nameof(timer));
            var p = parameters == 0 ? null : new MiniportTimers.Kernel.Timers.EXT_SET_PARAMETERS { Version = *(uint*)parameters, NoWakeTolerance = *(long*)(parameters + 8) };
            return Ex.ExSetTimer(t, dueTime100ns, period100ns, p) ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "ExSetTimer");
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static byte ExCancelTimer(nint timer)
    {
        try
        {
            var t = NativeKernelObjects.ExTimer(timer) ?? throw new ArgumentException($"ExCancelTimer: 0x{timer:X} is not a timer ExAllocateTimer returned.", nameof(timer));
            return Ex.ExCancelTimer(t, null) ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "ExCancelTimer");
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static byte ExDeleteTimer(nint timer, byte cancel, byte wait, nint parameters)
    {
        try
        {
            var driver = DdiGuard.RequireDriver("ExDeleteTimer");
            var t = NativeKernelObjects.ExTimer(timer) ?? throw new ArgumentException($"ExDeleteTimer: 0x{timer:X} is not a timer ExAllocateTimer returned.", nameof(timer));
            MiniportTimers.Kernel.Timers.EXT_DELETE_PARAMETERS? p = null;
            if (parameters != 0)
            {
                var deleteCallback = *(nint*)(parameters + 8);
                p = new MiniportTimers.Kernel.Timers.EXT_DELETE_PARAMETERS
                {
                    Version = *(uint*)parameters,
                    DeleteCallback = deleteCallback == 0 ? null : driver.Callback(deleteCallback).ExDeleteCallback,
                    DeleteContext = NativeCallback.Boxed(*(nint*)(parameters + 16)),
                };
            }

            return Ex.ExDeleteTimer(t, cancel != 0, wait != 0, p) ? (byte)1 : (byte)0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "ExDeleteTimer");
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static byte GetCurrentIrql() => (byte)Ke.KeGetCurrentIrql();

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void InitializeSpinLock(nint spinLock)
    {
        try
        {
            *(nuint*)spinLock = 0;
            _ = NativeSpinLocks.At(spinLock);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeInitializeSpinLock");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static byte AcquireSpinLockRaiseToDpc(nint spinLock)
    {
        try
        {
            Ke.KeAcquireSpinLock(NativeSpinLocks.At(spinLock), out var old);
            return (byte)old;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeAcquireSpinLock");
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void ReleaseSpinLock(nint spinLock, byte newIrql)
    {
        try
        {
            Ke.KeReleaseSpinLock(NativeSpinLocks.At(spinLock), (KIRQL)newIrql);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeReleaseSpinLock");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void AcquireSpinLockAtDpcLevel(nint spinLock)
    {
        try
        {
            Ke.KeAcquireSpinLockAtDpcLevel(NativeSpinLocks.At(spinLock));
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeAcquireSpinLockAtDpcLevel");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void ReleaseSpinLockFromDpcLevel(nint spinLock)
    {
        try
        {
            Ke.KeReleaseSpinLockFromDpcLevel(NativeSpinLocks.At(spinLock));
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeReleaseSpinLockFromDpcLevel");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static ulong QueryInterruptTime()
    {
        try
        {
            return Ke.KeQueryInterruptTime();
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeQueryInterruptTime");
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void QuerySystemTime(long* currentTime)
    {
        try
        {
            Ke.KeQuerySystemTimePrecise(out var time);
            *currentTime = time;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeQuerySystemTime");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void StallExecutionProcessor(uint microseconds)
    {
        try
        {
            Ke.KeStallExecutionProcessor(microseconds);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "KeStallExecutionProcessor");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void DebugPrint(uint level, nint text)
    {
        try
        {
            DdiGuard.CurrentDriver?.AddDebugOutput(System.Runtime.InteropServices.Marshal.PtrToStringUTF8(text) ?? string.Empty);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "DbgPrint");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void BugCheck(uint code, nuint p1, nuint p2, nuint p3, nuint p4, nint routine)
    {
        var name = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(routine) ?? "KeBugCheckEx";
        DdiGuard.Fail(new BugCheckException(code, p1, p2, p3, p4, $"{name} in {DdiGuard.CurrentDriver?.Path ?? "a native driver"}"), name);
    }
}
