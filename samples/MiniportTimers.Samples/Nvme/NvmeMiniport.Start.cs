using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Nvme;

/// <summary>The start state machine on the legacy timer (steps 2 to 5): HwPassiveInitialize's wait, NVMeRunning, the completion DPC that advances it, StartComplete.</summary>
public static partial class NvmeMiniport
{
    /// <summary>
    /// Step 2: NVMeRunningStartAttempt: CheckbackInterval = 5000 µs, state WaitOnRDY, CC.EN, then NVMeRunning. The
    /// driver's passive loop (stall 5 ms until StartComplete, Failed or CAP.TO + 5 s) cannot block a virtual clock, so
    /// the run plays its iterations as 5 ms workload events (<see cref="PassiveWaitIteration"/>).
    /// </summary>
    private static bool HwPassiveInitialize(object deviceExtension)
    {
        var e = (NvmeExtension)deviceExtension;
        e.CheckbackIntervalMicroseconds = 5_000;
        e.State = NvmeInitState.WaitOnRDY;
        // The interrupt time, as a driver reads it: Controller.Adapter is set only once AddAdapter returned, after this.
        e.StartedAtNanoseconds = checked((long)MiniportTimers.Kernel.Ke.KeQueryInterruptTime() * MiniportTimers.Engine.TimeUnits.NanosecondsPer100ns);
        e.Controller.Enable();
        NVMeRunning(deviceExtension);
        return true;
    }

    /// <summary>
    /// One iteration of HwPassiveInitialize's wait (step 4).
    /// </summary>
    /// <returns>True while the wait goes on; false once started, failed, or timed out (the timer is then freed).</returns>
    public static bool PassiveWaitIteration(NvmeExtension e, long nowNanoseconds)
    {
        if (e.State is NvmeInitState.StartComplete or NvmeInitState.Failed)
        {
            return false;
        }

        e.Counters.Add(NvmeFact.PassiveWaitPolls);
        var limitNanoseconds = ((e.Controller.CapTimeout500ms * 500L) + 5_000) * 1_000_000;
        if (nowNanoseconds - e.StartedAtNanoseconds < limitNanoseconds)
        {
            return true;
        }

        // Timed out: free the watchdog's timer and give up.
        e.State = NvmeInitState.Failed;
        e.Counters.Add(NvmeFact.StartsFailed);
        if (e.Timerhandle is { } handle)
        {
            StorPortFreeTimer(e, handle);
            e.Timerhandle = null;
        }

        return false;
    }

    /// <summary>Step 3: NVMeRunning, the HwStorTimer of the start state machine.</summary>
    private static void NVMeRunning(object deviceExtension)
    {
        var e = (NvmeExtension)deviceExtension;
        if (e.LegacyPending == (HW_TIMER)NVMeRunning)
        {
            e.LegacyPending = null;
        }

        switch (e.State)
        {
            case NvmeInitState.WaitOnRDY:
                if (e.Controller.ReadyBit && e.Controller.ReadVersion() != 0xFFFF_FFFF)
                {
                    e.State = NvmeInitState.WaitOnIdentifyCtrl;
                    e.Controller.Submit(new NvmeCommand(e.State, null));
                    NVMeCallArbiter(e);
                    return;
                }

                e.Counters.Add(NvmeFact.ReadyPolls);
                e.ReadyWaitedMicroseconds += e.CheckbackIntervalMicroseconds;
                if (e.ReadyWaitedMicroseconds > e.Controller.CapTimeout500ms * 500_000L)
                {
                    e.State = NvmeInitState.Failed;
                    e.Counters.Add(NvmeFact.StartsFailed);
                    return;
                }

                NVMeCallArbiter(e);
                return;

            case NvmeInitState.WaitOnIdentifyCtrl or NvmeInitState.WaitOnIdentifyNS or NvmeInitState.WaitOnIoQueues or NvmeInitState.WaitOnSetFeatures:
                e.Counters.Add(NvmeFact.AdminCheckbacks);
                NVMeCallArbiter(e);
                return;

            default:
                return; // StartComplete or Failed: a stale tick
        }
    }

    /// <summary>NVMeCallArbiter: Legacy(NVMeRunning, CheckbackInterval); replaces whatever the legacy timer had pending.</summary>
    private static void NVMeCallArbiter(NvmeExtension e)
    {
        RequestLegacy(e, NVMeRunning, e.CheckbackIntervalMicroseconds);
    }

    private static void RequestLegacy(NvmeExtension e, HW_TIMER routine, uint microseconds)
    {
        if (e.LegacyPending is not null && microseconds != 0)
        {
            e.Counters.Add(NvmeFact.LegacyRequestsReplaced);
        }

        e.LegacyPending = microseconds == 0 ? null : routine;
        StorPortNotification(RequestTimerCall, e, routine, microseconds);
    }

    /// <summary>The completion DPC: reaps the completion queue, advances the admin states, completes I/O.</summary>
    private static void CompletionDpc(STOR_DPC dpc, object deviceExtension, object? systemArgument1, object? systemArgument2)
    {
        var e = (NvmeExtension)deviceExtension;
        var lockHandle = default(STOR_LOCK_HANDLE);
        StorPortAcquireSpinLock(deviceExtension, StartIoLock, null, ref lockHandle);
        try
        {
            while (e.Controller.TryReap(out var command))
            {
                if (command.Srb is { } srb)
                {
                    if (e.Outstanding.Remove(srb.Tag))
                    {
                        srb.SrbStatus = SRB_STATUS_SUCCESS;
                        StorPortNotification(RequestComplete, deviceExtension, srb);
                    }
                }
                else if (command.Admin == e.State)
                {
                    Advance(e);
                }
            }
        }
        finally
        {
            StorPortReleaseSpinLock(deviceExtension, ref lockHandle);
            e.Controller.UnmaskInterrupt(); // INTMC: entries posted meanwhile raise the line again
        }
    }

    /// <summary>The next admin state from the completion path, then the arbiter (replacing a pending NVMeRunning).</summary>
    private static void Advance(NvmeExtension e)
    {
        e.Counters.Add(NvmeFact.AdvancedFromCompletionDpc);
        var next = e.State + 1;
        if (next == NvmeInitState.StartComplete)
        {
            StartComplete(e);
            return;
        }

        e.State = next;
        e.Controller.Submit(new NvmeCommand(next, null));
        NVMeCallArbiter(e);
    }

    /// <summary>Step 5: Req(Timerhandle, 1 s, IsDeviceRemoved, NULL) (Windows 7: Legacy(IsDeviceRemoved, 1 s)), then StorPortResume.</summary>
    private static void StartComplete(NvmeExtension e)
    {
        e.State = NvmeInitState.StartComplete;
        e.Counters.Add(NvmeFact.StartsCompleted);
        ArmWatchdog(e);
        StorPortResume(e);
    }
}
