using MiniportTimers.Kernel;
using MiniportTimers.Ndis;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Tests.Ndis.Timers;

/// <summary>
/// Issue 21 §5: an NDIS timer object the miniport allocated with its adapter handle and left allocated at halt. The halt
/// reports it (with the verifier DRIVER_VERIFIER_DETECTED_VIOLATION, P1 <see cref="VerifierRules.TimerObjectNotFreedAtHalt"/>;
/// without it a finding), and arming it afterwards (from another adapter's routine here) is never silent: with the verifier
/// a bug check naming the routine, without it a finding naming the routine, and the callback runs at its due time as
/// driver-level code (on Windows the leaked timer object still fires). All on the virtual clock.
/// </summary>
public class NdisTimerObjectHaltTests
{
    private const string NotFreedAtHalt = "TimerObjectNotFreedAtHalt";
    private const string ArmedAfterItsAdapterWentAway = "TimerArmedAfterItsAdapterWentAway";

    /// <summary>Two adapters; the first allocates <see cref="Leaked"/> with its adapter handle and never frees it; the second arms it from MiniportResetEx.</summary>
    private sealed class TwoAdapters
    {
        public TwoAdapters(bool verifier, bool freeInHalt = false, bool useDriverHandle = false)
        {
            Bed = new NdisTestBed(adapters: 0, options: new NdisHostOptions { Verifier = verifier });
            Bed.Initialize = handle =>
            {
                if (Leaked is null)
                {
                    Assert.Equal(NDIS_STATUS_SUCCESS, NdisAllocateTimerObject(useDriverHandle ? Bed.Driver : handle, NDIS_TIMER_CHARACTERISTICS.For(Callback, "default"), out var timer));
                    Leaked = timer;
                }
            };
            Bed.Halt = _ =>
            {
                if (freeInHalt)
                {
                    NdisFreeTimerObject(Leaked!);
                }
            };
            Bed.Reset = context =>
            {
                ArmedFromResetReturned = NdisSetTimerObject(Leaked!, -50_000, 0, "armed by nic1"); // 5 ms
                return NDIS_STATUS_SUCCESS;
            };
            First = Bed.Host.AddAdapter();
            Second = Bed.Host.AddAdapter();
        }

        public NdisTestBed Bed { get; }

        public NdisMiniportAdapter First { get; }

        public NdisMiniportAdapter Second { get; }

        public NdisTimerObject? Leaked { get; private set; }

        public bool? ArmedFromResetReturned { get; private set; }

        public List<(long AtMs, object? Context, KIRQL Irql, string Adapter)> Fired { get; } = [];

        private void Callback(object systemSpecific1, object? functionContext, nuint systemSpecific2, nuint systemSpecific3) =>
            Fired.Add((Bed.NowMs, functionContext, Ke.KeGetCurrentIrql(), NdisRoutines.CurrentAdapter?.Name ?? "driver"));
    }

    [Fact]
    public void VerifierOff_HaltWithATimerObjectStillAllocated_IsAFinding_AndAnotherAdaptersArmFiresItWithAFindingNamingTheRoutine()
    {
        var s = new TwoAdapters(verifier: false);
        s.Bed.AdvanceMs(10);
        s.First.Halt();

        var halt = Assert.Single(s.Bed.Host.Diagnostics.Findings);
        Assert.Equal(("nic0", NotFreedAtHalt), (halt.Adapter, halt.Rule));
        Assert.Contains("NdisFreeTimerObject", halt.Detail, StringComparison.Ordinal);

        Assert.Equal(NDIS_STATUS_SUCCESS, s.Second.Reset());
        Assert.Equal(false, s.ArmedFromResetReturned);
        var armed = Assert.Single(s.Bed.Host.Diagnostics.Findings, f => f.Rule == ArmedAfterItsAdapterWentAway);
        Assert.Equal("nic1", armed.Adapter); // the adapter whose routine armed it
        Assert.Contains("NdisSetTimerObject", armed.Detail, StringComparison.Ordinal);
        Assert.Contains("nic0", armed.Detail, StringComparison.Ordinal);

        s.Bed.AdvanceMs(4);
        Assert.Empty(s.Fired);
        s.Bed.AdvanceMs(1);
        Assert.Equal([(15L, (object?)"armed by nic1", KIRQL.DISPATCH_LEVEL, "driver")], s.Fired); // never silently dropped
        Assert.Empty(s.Bed.Host.Diagnostics.BugChecks);
        Assert.Equal(NdisAdapterState.Running, s.Second.State);
    }

    [Fact]
    public void VerifierOn_HaltWithATimerObjectStillAllocated_BugChecks_AndArmingItAfterwardsBugChecksNamingTheRoutine()
    {
        var s = new TwoAdapters(verifier: true);
        s.First.Halt();

        var halt = Assert.Single(s.Bed.Host.Diagnostics.BugChecks);
        Assert.Equal(("nic0", "Halt"), (halt.Adapter, halt.Routine));
        Assert.Equal((BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.TimerObjectNotFreedAtHalt), (halt.BugCheck.Code, halt.BugCheck.Parameter1));
        Assert.Equal(NdisAdapterState.Halted, s.First.State);

        s.Second.Reset();
        var armed = s.Bed.Host.Diagnostics.BugChecks[1];
        Assert.Equal(("nic1", "MiniportResetEx"), (armed.Adapter, armed.Routine));
        Assert.Equal((BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.TimerArmedAfterItsAdapterWentAway), (armed.BugCheck.Code, armed.BugCheck.Parameter1));
        Assert.Contains("NdisSetTimerObject", armed.BugCheck.Detail, StringComparison.Ordinal);
        Assert.Equal(NdisAdapterState.Faulted, s.Second.State);
        s.Bed.AdvanceMs(100);
        Assert.Empty(s.Fired);
        Assert.Empty(s.Bed.Host.Diagnostics.Findings);
    }

    [Fact]
    public void VerifierOn_NdisSetCoalescableTimerObjectOnALeakedTimer_NamesItself()
    {
        var s = new TwoAdapters(verifier: true);
        s.First.Halt();
        var bc = Assert.Throws<BugCheckException>(() => NdisSetCoalescableTimerObject(s.Leaked!, -10_000, 0, null, 10));
        Assert.Equal(VerifierRules.TimerArmedAfterItsAdapterWentAway, bc.Parameter1);
        Assert.Contains("NdisSetCoalescableTimerObject", bc.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TheMiniportMayStillCancelAndFreeALeakedTimerObject_ThenNothingFires()
    {
        var s = new TwoAdapters(verifier: true);
        s.First.Halt();
        Assert.False(NdisCancelTimerObject(s.Leaked!));
        NdisFreeTimerObject(s.Leaked!);
        Assert.Single(s.Bed.Host.Diagnostics.BugChecks); // only the halt's report
        s.Bed.AdvanceMs(100);
        Assert.Empty(s.Fired);
    }

    [Fact]
    public void ATimerObjectFreedInMiniportHaltEx_IsNoFinding()
    {
        var s = new TwoAdapters(verifier: false, freeInHalt: true);
        s.First.Halt();
        Assert.Equal(0, s.Bed.Host.Diagnostics.FindingCount);
        Assert.Empty(s.Bed.Host.Diagnostics.BugChecks);
    }

    [Fact]
    public void ADriverHandleTimerObject_OutlivesTheAdapterWhoseRoutineAllocatedIt_NoFinding_AndItStillFires()
    {
        // The driver handle's objects belong to the driver: not a leak at an adapter's halt. The adapter only owned it for
        // fault isolation while it lived; afterwards it runs as driver-level code.
        var s = new TwoAdapters(verifier: true, useDriverHandle: true);
        s.First.Halt();
        Assert.Empty(s.Bed.Host.Diagnostics.BugChecks);
        s.Second.Reset();
        s.Bed.AdvanceMs(5);
        Assert.Equal([(5L, (object?)"armed by nic1", KIRQL.DISPATCH_LEVEL, "driver")], s.Fired);
        Assert.Empty(s.Bed.Host.Diagnostics.BugChecks);
        Assert.Equal(0, s.Bed.Host.Diagnostics.FindingCount);
    }

    [Fact]
    public void VerifierOff_ATimerObjectOfAnAdapterStoppedByABugCheck_ArmedLater_IsAFindingThatSaysItWillNotRun()
    {
        var s = new TwoAdapters(verifier: false);
        s.Bed.Pause = _ => throw new InvalidOperationException("bad"); // stops nic0 (and only nic0 is paused)
        s.First.Pause();
        Assert.Equal(NdisAdapterState.Faulted, s.First.State);
        s.Second.Reset();
        var armed = Assert.Single(s.Bed.Host.Diagnostics.Findings, f => f.Rule == ArmedAfterItsAdapterWentAway);
        Assert.Contains("stopped by a bug check", armed.Detail, StringComparison.Ordinal);
        Assert.Contains("will not run", armed.Detail, StringComparison.Ordinal);
        s.Bed.AdvanceMs(100);
        Assert.Empty(s.Fired);
    }

    [Fact]
    public void ATimerObjectStillQueuedAtHalt_IsReportedOnceAsQueued_NotAlsoAsNotFreed()
    {
        var s = new TwoAdapters(verifier: true);
        NdisSetTimerObject(s.Leaked!, -10_000_000, 0, null);
        s.First.Halt();
        var report = Assert.Single(s.Bed.Host.Diagnostics.BugChecks);
        Assert.Equal(BugCheckCodes.TIMER_OR_DPC_INVALID, report.BugCheck.Code);
        s.Bed.AdvanceMs(2_000);
        Assert.Empty(s.Fired);
    }
}
