using MiniportTimers.Kernel;
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
            DdiGuard.CurrentDriver?.AddDebugOutput(Interop.NativeText.Utf8(text) ?? string.Empty);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "DbgPrint");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void BugCheck(uint code, nuint p1, nuint p2, nuint p3, nuint p4, nint routine)
    {
        var name = Interop.NativeText.Utf8(routine) ?? "KeBugCheckEx";
        DdiGuard.Fail(new BugCheckException(code, p1, p2, p3, p4, $"{name} in {DdiGuard.CurrentDriver?.Path ?? "a native driver"}"), name);
    }
}
