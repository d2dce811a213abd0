using MiniportTimers.Engine;
using MiniportTimers.Samples.Nvme;
using MiniportTimers.Storport;

namespace MiniportTimers.Tests.Samples;

/// <summary>The NVMe sample (real-drivers.md S3, issue 5 §5) on the virtual clock, and briefly on the real one.</summary>
public class NvmeSampleTests
{
    private static NvmeRun RunVirtual(NvmeRun run, long durationMilliseconds = 5_000) =>
        NvmeRun.Execute(new VirtualTimerEngine(), run, durationMilliseconds);

    [Fact]
    public void Default_BothControllersStartThroughTheLegacyStateMachine_AdvancedAlsoFromTheCompletionDpc()
    {
        var run = RunVirtual(new NvmeRun());
        Assert.Equal(2, run.Total(NvmeFact.StartsCompleted));
        Assert.Equal(0, run.Total(NvmeFact.StartsFailed));
        Assert.True(run.Total(NvmeFact.ReadyPolls) > 0, "CSTS.RDY is polled every 5 ms");
        Assert.Equal(8, run.Total(NvmeFact.AdvancedFromCompletionDpc)); // 4 admin states per controller
        Assert.True(run.Total(NvmeFact.LegacyRequestsReplaced) > 0, "the completion path replaces a pending NVMeRunning");
        var running = run.Diagnostics.TimerActivity.Rows.Single(t => t.Callback == "NVMeRunning");
        Assert.True(running.Fires < running.Arms, "replaced requests never fire");
        Assert.Empty(run.Host.BugChecks);
        Assert.Empty(run.InvariantFailures);
    }

    [Fact]
    public void SurpriseRemoval_TheWatchdogPausesFailsCommandsFreesItsOwnTimerAndResumes()
    {
        var run = RunVirtual(new NvmeRun());
        Assert.Equal(1, run.Total(NvmeFact.SurpriseRemovals));
        Assert.Equal(1, run.Total(NvmeFact.TimersFreedInOwnCallback));
        Assert.True(run.Total(NvmeFact.CommandsFailedInCallback) > 0);
        Assert.True(run.Host.RequestActivity.CompletedIn(MiniportRoutine.TimerCallback) > 0, "requests completed inside the callback");
        Assert.True(run.Total(NvmeFact.IoFailedNoDevice) > 0, "after resume, new I/O fails at once");
        var pulled = run.Extensions[^1];
        Assert.Null(pulled.Timerhandle);
        Assert.False(run.CreatedAdapters[^1].IsPaused);
        Assert.Equal(0, run.Total(NvmeFact.WatchdogContextNotNull));
        Assert.Empty(run.Host.BugChecks);
        Assert.Empty(run.Host.Findings);
    }

    [Fact]
    public void Windows7Build_WatchdogSharesTheLegacyTimer_LastRequestWins()
    {
        var win8 = RunVirtual(new NvmeRun());
        var win7 = RunVirtual(new NvmeRun { Options = new StorportHostOptions { Windows7Mode = true } });
        Assert.Equal("nvme-win7", win7.Name);
        Assert.Equal(2, win7.Total(NvmeFact.WatchdogOnLegacyTimer));
        Assert.Equal(2, win7.Total(NvmeFact.StartsCompleted));
        Assert.Equal(1, win7.Total(NvmeFact.SurpriseRemovals));
        Assert.Equal(0, win7.Total(NvmeFact.TimersFreedInOwnCallback));

        // The watchdog request replaces the NVMeRunning tick still pending at StartComplete: fewer NVMeRunning fires.
        static long Fires(NvmeRun r, string callback) => r.Diagnostics.TimerActivity.Rows.Single(t => t.Callback == callback).Fires;
        Assert.True(Fires(win7, "NVMeRunning") < Fires(win8, "NVMeRunning"));
        Assert.True(win7.Total(NvmeFact.LegacyRequestsReplaced) > win8.Total(NvmeFact.LegacyRequestsReplaced));
        Assert.Empty(win7.Host.BugChecks);
        Assert.Empty(win7.InvariantFailures);
    }

    [Fact]
    public void ControllerNeverReady_CapTimeoutFailsTheStart_AndTheTimerIsFreedNotLeaked()
    {
        var run = RunVirtual(new NvmeRun { Adapters = 1, SurpriseRemoval = false, ReadyDelayMilliseconds = long.MaxValue / 2_000_000 }, 10_000);
        Assert.Equal(1, run.Total(NvmeFact.StartsFailed));
        Assert.Equal(0, run.Total(NvmeFact.StartsCompleted));
        Assert.Equal(401, run.Total(NvmeFact.ReadyPolls)); // CAP.TO = 2 s at 5 ms: 400 polls fit, the 401st is past it
        Assert.Empty(run.Host.BugChecks);
        Assert.Empty(run.Host.Findings);
    }

    [Fact]
    public void PulledDuringTheAdminCommands_ThePassiveWaitTimesOutAfterCapTimeoutPlus5s_AndFreesTheTimer()
    {
        // Ready at 10 ms, gone 50 µs later: the IDENTIFY never completes, NVMeRunning checks back until the passive
        // wait gives up at CAP.TO + 5 s = 7 s and frees the watchdog's timer.
        var run = RunVirtual(new NvmeRun { Adapters = 1, ReadyDelayMilliseconds = 10, SurpriseRemovalAtMicroseconds = 10_050 }, 10_000);
        var e = Assert.Single(run.Extensions);
        Assert.Equal(NvmeInitState.Failed, e.State);
        Assert.Equal(1, run.Total(NvmeFact.StartsFailed));
        Assert.Null(e.Timerhandle);
        Assert.True(run.Total(NvmeFact.AdminCheckbacks) > 1_000, "5 ms check-backs for about 7 s");
        Assert.InRange(run.Total(NvmeFact.PassiveWaitPolls), 1_390, 1_410); // every 5 ms for 7 s
        Assert.Empty(run.Host.BugChecks);
        Assert.Empty(run.Host.Findings);
    }

    [Fact]
    public void TheStartAttemptIsTimedFromHwPassiveInitialize_NotFromTimeZero()
    {
        // Controller 1 is added 1 ms into the run. Its HwPassiveInitialize used to read the engine through
        // Controller.Adapter, which is set only once AddAdapter returned: null there, so its start counted from 0.
        var run = RunVirtual(new NvmeRun { SurpriseRemoval = false }, 100);
        Assert.Equal([0L, TimeUnits.NanosecondsPerMillisecond], run.Extensions.Select(e => e.StartedAtNanoseconds).ToArray());
    }

    [Fact]
    public void RealClock_ShortRun_BothStartWithNoBugCheck()
    {
        using var engine = new RealTimeTimerEngine("nvme-test");
        var run = NvmeRun.Execute(engine, new NvmeRun { SurpriseRemoval = false }, 1_000);
        Assert.Equal(2, run.Total(NvmeFact.StartsCompleted));
        Assert.Empty(run.Host.BugChecks);
        Assert.Empty(run.InvariantFailures);
    }
}
