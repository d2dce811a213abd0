using System.Runtime.InteropServices;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Native.Interop;

namespace MiniportTimers.Native.Kernel;

/// <summary>
/// The kernel routines a native miniport calls (IRQL, executive spin locks, clock reads, stall, DPCs, KTIMER and EX_TIMER,
/// debug print, bug check), by their C names (native/ddi/ddis.json), over the flat C# surface (<see cref="Ke"/>,
/// <see cref="Ex"/>). The guarded [UnmanagedCallersOnly] entries that call these are generated (DdiEntries.g.cs).
/// </summary>
internal static unsafe partial class KernelExports
{
    /// <summary>The EX_TIMER handles native drivers hold ('E').</summary>
    internal static readonly NativeHandleTable<EX_TIMER> ExTimers = new((byte)'E');

    private const uint STATUS_INVALID_PARAMETER = 0xC000000D;

    /// <summary>The offsets of PROCESSOR_NUMBER (native/include/wdm.h): USHORT Group, UCHAR Number.</summary>
    private const int ProcessorNumberNumberOffset = 2;

    private static byte KeGetCurrentIrql() => (byte)Ke.KeGetCurrentIrql();

    private static void KeRaiseIrql(byte newIrql, nint oldIrql)
    {
        ArgumentOutOfRangeException.ThrowIfZero(oldIrql);
        Ke.KeRaiseIrql((KIRQL)newIrql, out var old);
        *(byte*)oldIrql = (byte)old;
    }

    private static void KeLowerIrql(byte newIrql) => Ke.KeLowerIrql((KIRQL)newIrql);

    private static void KeInitializeSpinLock(nint spinLock)
    {
        ArgumentOutOfRangeException.ThrowIfZero(spinLock);
        *(nuint*)spinLock = 0;
        _ = NativeSpinLocks.At(spinLock);
    }

    private static byte KeAcquireSpinLockRaiseToDpc(nint spinLock)
    {
        Ke.KeAcquireSpinLock(NativeSpinLocks.At(spinLock), out var old);
        return (byte)old;
    }

    private static void KeReleaseSpinLock(nint spinLock, byte newIrql) => Ke.KeReleaseSpinLock(NativeSpinLocks.At(spinLock), (KIRQL)newIrql);

    private static void KeAcquireSpinLockAtDpcLevel(nint spinLock) => Ke.KeAcquireSpinLockAtDpcLevel(NativeSpinLocks.At(spinLock));

    private static void KeReleaseSpinLockFromDpcLevel(nint spinLock) => Ke.KeReleaseSpinLockFromDpcLevel(NativeSpinLocks.At(spinLock));

    private static byte KeTryToAcquireSpinLockAtDpcLevel(nint spinLock)
    {
        ArgumentOutOfRangeException.ThrowIfZero(spinLock);
        return Ke.KeTryToAcquireSpinLockAtDpcLevel(NativeSpinLocks.At(spinLock)) ? (byte)1 : (byte)0;
    }

    private static ulong KeQueryInterruptTime() => Ke.KeQueryInterruptTime();

    private static void KeQuerySystemTime(nint currentTime)
    {
        ArgumentOutOfRangeException.ThrowIfZero(currentTime);
        Ke.KeQuerySystemTime(out *(long*)currentTime);
    }

    private static void KeQuerySystemTimePrecise(nint currentTime)
    {
        ArgumentOutOfRangeException.ThrowIfZero(currentTime);
        Ke.KeQuerySystemTimePrecise(out *(long*)currentTime);
    }

    private static void KeStallExecutionProcessor(uint microSeconds) => Ke.KeStallExecutionProcessor(microSeconds);

    private static long KeQueryPerformanceCounter(nint performanceFrequency)
    {
        var counter = Ke.KeQueryPerformanceCounter(out var frequency);
        if (performanceFrequency != 0)
        {
            *(long*)performanceFrequency = frequency;
        }

        return counter;
    }

    private static uint KeQueryTimeIncrement() => Ke.KeQueryTimeIncrement();

    private static void KeQueryTickCount(nint currentCount)
    {
        ArgumentOutOfRangeException.ThrowIfZero(currentCount);
        Ke.KeQueryTickCount(out *(long*)currentCount);
    }

    private static uint ExSetTimerResolution(uint desiredTime, byte setResolution) => Ex.ExSetTimerResolution(desiredTime, setResolution != 0);

    private static void KeInitializeDpc(nint dpc, nint deferredRoutine, nint deferredContext)
    {
        ArgumentOutOfRangeException.ThrowIfZero(deferredRoutine);
        var driver = DdiGuard.RequireDriver(nameof(KeInitializeDpc));
        Ke.KeInitializeDpc(NativeKernelObjects.Dpc(driver, dpc), driver.Callback(deferredRoutine).DeferredRoutine, NativeCallback.Boxed(deferredContext));
    }

    private static byte KeInsertQueueDpc(nint dpc, nint systemArgument1, nint systemArgument2) =>
        Ke.KeInsertQueueDpc(Dpc(dpc, nameof(KeInsertQueueDpc)), NativeCallback.Boxed(systemArgument1), NativeCallback.Boxed(systemArgument2)) ? (byte)1 : (byte)0;

    private static byte KeRemoveQueueDpc(nint dpc) => Ke.KeRemoveQueueDpc(Dpc(dpc, nameof(KeRemoveQueueDpc))) ? (byte)1 : (byte)0;

    private static void KeFlushQueuedDpcs() => Ke.KeFlushQueuedDpcs();

    private static void KeSetImportanceDpc(nint dpc, uint importance) => Ke.KeSetImportanceDpc(Dpc(dpc, nameof(KeSetImportanceDpc)), (KDPC_IMPORTANCE)importance);

    private static void KeSetTargetProcessorDpc(nint dpc, sbyte number) =>
        _ = Ke.KeSetTargetProcessorDpc(Dpc(dpc, nameof(KeSetTargetProcessorDpc)), (byte)number);

    private static int KeSetTargetProcessorDpcEx(nint dpc, nint procNumber)
    {
        if (procNumber == 0 || *(ushort*)procNumber != 0)
        {
            return unchecked((int)STATUS_INVALID_PARAMETER); // the host has processor group 0 only
        }

        return unchecked((int)Ke.KeSetTargetProcessorDpc(Dpc(dpc, nameof(KeSetTargetProcessorDpcEx)), *(byte*)(procNumber + ProcessorNumberNumberOffset)));
    }

    private static int KeQueryDpcWatchdogInformation(nint watchdogInformation)
    {
        ArgumentOutOfRangeException.ThrowIfZero(watchdogInformation);
        var status = Ke.KeQueryDpcWatchdogInformation(out var info);
        var fields = (uint*)watchdogInformation;
        (fields[0], fields[1], fields[2], fields[3]) = (info.DpcTimeLimit, info.DpcTimeCount, info.DpcWatchdogLimit, info.DpcWatchdogCount);
        return unchecked((int)status);
    }

    private static void KeInitializeTimer(nint timer) => Ke.KeInitializeTimer(Timer(timer, nameof(KeInitializeTimer)));

    private static void KeInitializeTimerEx(nint timer, uint type) => Ke.KeInitializeTimerEx(Timer(timer, nameof(KeInitializeTimerEx)), (TIMER_TYPE)type);

    private static byte KeSetTimer(nint timer, long dueTime, nint dpc) =>
        Ke.KeSetTimer(Timer(timer, nameof(KeSetTimer)), dueTime, OptionalDpc(dpc, nameof(KeSetTimer))) ? (byte)1 : (byte)0;

    private static byte KeSetTimerEx(nint timer, long dueTime, int period, nint dpc)
    {
        if (period < 0)
        {
            throw BugCheck.Create(BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, STATUS_INVALID_PARAMETER, unchecked((ulong)(long)period), 0, 0, "KeSetTimerEx: a negative period");
        }

        return Ke.KeSetTimerEx(Timer(timer, nameof(KeSetTimerEx)), dueTime, period, OptionalDpc(dpc, nameof(KeSetTimerEx))) ? (byte)1 : (byte)0;
    }

    private static byte KeSetCoalescableTimer(nint timer, long dueTime, uint period, uint tolerableDelay, nint dpc) =>
        Ke.KeSetCoalescableTimer(Timer(timer, nameof(KeSetCoalescableTimer)), dueTime, period, tolerableDelay, OptionalDpc(dpc, nameof(KeSetCoalescableTimer))) ? (byte)1 : (byte)0;

    private static byte KeCancelTimer(nint timer) => Ke.KeCancelTimer(Timer(timer, nameof(KeCancelTimer))) ? (byte)1 : (byte)0;

    private static byte KeReadStateTimer(nint timer) => Ke.KeReadStateTimer(Timer(timer, nameof(KeReadStateTimer))) ? (byte)1 : (byte)0;

    private static nint ExAllocateTimer(nint callback, nint callbackContext, uint attributes)
    {
        var driver = DdiGuard.RequireDriver(nameof(ExAllocateTimer));
        EXT_CALLBACK? routine = callback == 0 ? null : driver.Callback(callback).ExTimerCallback;
        if (Ex.ExAllocateTimer(routine, NativeCallback.Boxed(callbackContext), attributes) is not { } timer)
        {
            return 0;
        }

        var handle = ExTimers.Add(timer);
        NativeKernelObjects.Remember(timer, handle);
        return handle;
    }

    private static byte ExSetTimer(nint timer, long dueTime, long period, nint parameters)
    {
        var p = parameters == 0 ? null : new EXT_SET_PARAMETERS { Version = *(uint*)parameters, NoWakeTolerance = *(long*)(parameters + 8) };
        return Ex.ExSetTimer(ExTimer(timer, nameof(ExSetTimer)), dueTime, period, p) ? (byte)1 : (byte)0;
    }

    private static byte ExCancelTimer(nint timer, nint parameters) => Ex.ExCancelTimer(ExTimer(timer, nameof(ExCancelTimer)), null) ? (byte)1 : (byte)0;

    private static byte ExDeleteTimer(nint timer, byte cancel, byte wait, nint parameters)
    {
        var driver = DdiGuard.RequireDriver(nameof(ExDeleteTimer));
        var t = ExTimer(timer, nameof(ExDeleteTimer));
        EXT_DELETE_PARAMETERS? p = null;
        if (parameters != 0)
        {
            var deleteCallback = *(nint*)(parameters + 8);
            p = new EXT_DELETE_PARAMETERS
            {
                Version = *(uint*)parameters,
                DeleteCallback = deleteCallback == 0 ? null : driver.Callback(deleteCallback).ExDeleteCallback,
                DeleteContext = NativeCallback.Boxed(*(nint*)(parameters + 16)),
            };
        }

        var cancelled = Ex.ExDeleteTimer(t, cancel != 0, wait != 0, p);
        ExTimers.Remove(timer); // deleted: a later use of the handle is a use after free
        return cancelled ? (byte)1 : (byte)0;
    }

    private static void MptDebugPrint(uint level, nint text) =>
        DdiGuard.CurrentDriver?.AddDebugOutput(Marshal.PtrToStringUTF8(text) ?? string.Empty);

    private static void KeBugCheckEx(uint bugCheckCode, nuint bugCheckParameter1, nuint bugCheckParameter2, nuint bugCheckParameter3, nuint bugCheckParameter4) =>
        throw BugCheck.Create(bugCheckCode, bugCheckParameter1, bugCheckParameter2, bugCheckParameter3, bugCheckParameter4, $"KeBugCheckEx in {DdiGuard.CurrentDriver?.Path ?? "a native driver"}");

    private static void MptBugCheck(uint bugCheckCode, nuint bugCheckParameter1, nuint bugCheckParameter2, nuint bugCheckParameter3, nuint bugCheckParameter4, nint routine)
    {
        var name = Marshal.PtrToStringUTF8(routine) ?? "the shim";
        throw BugCheck.Create(bugCheckCode, bugCheckParameter1, bugCheckParameter2, bugCheckParameter3, bugCheckParameter4, $"{name} in {DdiGuard.CurrentDriver?.Path ?? "a native driver"}");
    }

    private static KDPC Dpc(nint dpc, string routine) => NativeKernelObjects.Dpc(DdiGuard.RequireDriver(routine), dpc);

    private static KDPC? OptionalDpc(nint dpc, string routine) => dpc == 0 ? null : Dpc(dpc, routine);

    private static KTIMER Timer(nint timer, string routine) => NativeKernelObjects.Timer(DdiGuard.RequireDriver(routine), timer);

    private static EX_TIMER ExTimer(nint handle, string routine) =>
        ExTimers.Find(handle, out var timer) switch
        {
            HandleState.Live => timer!,
            HandleState.Freed => throw BugCheck.Create(BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.ExTimerMisuse, (ulong)handle, 0, 0, $"{routine} on an EX_TIMER ExDeleteTimer already deleted"),
            _ => throw new ArgumentException($"{routine}: 0x{handle:X} is not a timer ExAllocateTimer returned.", nameof(handle)),
        };
}
