using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Kernel.Ke;

namespace MiniportTimers.Tests.Kernel.Timers;

/// <summary>
/// Issue 27 (attrib): a gated kind's expiry that was taken before its timer was set again still runs once (the rule
/// <see cref="ExpiryRule.RunOnceAfterCancel"/>, as a DPC already queued does on Windows when KeSetTimer runs on another
/// CPU), and its lateness counts from its own request's due time, never from the new request's (which made it negative:
/// an "early" fire). The seam: a KDPC owner (<see cref="IDpcOwner"/>, as NDIS's timers use) whose RunExpiry, between the
/// engine's take and <see cref="TimerCore.InvokeIfCurrent"/>, sets the timer again: the interleaving of a set on another
/// CPU, made deterministic on the virtual clock.
/// </summary>
public sealed class StaleExpiryLatenessTests
{
    [Fact]
    public void AnExpiryTakenBeforeTheTimerWasSetAgain_RunsOnce_AndCountsItsLatenessFromItsOwnDueTime()
    {
        var bed = new StorportTestBed();
        var timer = new KTIMER();
        var owner = new ResettingOwner(timer, newDueTime100ns: -10 * 10_000); // 10 ms after the first expiry
        InRoutine(bed, () =>
        {
            KeInitializeTimer(timer);
            var dpc = new KDPC();
            dpc.InitializeOwned(owner, timer.Scope!);
            owner.Dpc = dpc;
            KeSetTimer(timer, -10 * 10_000, dpc); // due at 10 ms
        });

        bed.AdvanceMicroseconds(15_000);
        Assert.Equal([10_000L], owner.RanAtMicroseconds(bed)); // the taken expiry ran once, after the set
        bed.AdvanceMicroseconds(10_000);
        Assert.Equal([10_000L, 20_000L], owner.RanAtMicroseconds(bed)); // then the new request's, at its own due time

        var row = Assert.Single(bed.Host.Diagnostics.TimerActivity.Rows, r => r.Kind == "KTIMER");
        Assert.Equal(2, row.Fires);
        Assert.Equal(0, row.Lateness.EarlyCount); // before the fix: 1 (the first fire counted from 20 ms: -10 ms)
        Assert.Equal(0, row.Lateness.MaxNanoseconds);
    }

    private static void InRoutine(StorportTestBed bed, Action body)
    {
        bed.StartIo = (_, _) => body();
        bed.Adapter.SubmitRequest(new SCSI_REQUEST_BLOCK());
        bed.AdvanceMicroseconds(0);
        Assert.Empty(bed.Host.BugChecks);
    }

    /// <summary>Sets the timer again inside the first expiry's dispatch path, before the commit.</summary>
    private sealed class ResettingOwner(KTIMER timer, long newDueTime100ns) : IDpcOwner
    {
        private readonly List<long> _ranAtNanoseconds = [];
        private bool _setAgain;

        public KDPC? Dpc { get; set; }

        public Delegate RowCallback => (Action<KDPC, long>)RunDeferredRoutine;

        public int? Processor => null;

        public void RunExpiry(TimerCore core, in TimerFiring firing)
        {
            if (!_setAgain)
            {
                _setAgain = true;
                KeSetTimer(timer, newDueTime100ns, Dpc); // the set on "another CPU", after the take
            }

            core.InvokeIfCurrent(firing);
        }

        public void RunDeferredRoutine(KDPC dpc, long systemTime100ns) => _ranAtNanoseconds.Add(timer.Scope!.Engine.NowNanoseconds);

        public List<long> RanAtMicroseconds(StorportTestBed bed) => [.. _ranAtNanoseconds.Select(ns => ns / TimeUnits.NanosecondsPerMicrosecond)];
    }
}
