using System.Globalization;
using MiniportTimers.Cli.Run;
using MiniportTimers.Cli.Shell;
using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;

namespace MiniportTimers.Tests.Cli.Run;

/// <summary>
/// Issue 25: the report fits the terminal and never breaks a callback name (before: fixed at 132 columns, wrapped in a
/// 100-column terminal, and even at 132 "AhciBusChangeTimerCallbac"/"k"); colour on a terminal for invariant failures,
/// bug checks and findings, none with NO_COLOR and no escape code at all when redirected; the legend lists only the
/// kinds the report has (before: KTIMER and EX_TIMER, which never appear); the longest callback is named with its
/// sample and adapter (before: "longest callback 21345.2 µs" and no name); "1 miniport", not "1 sample miniports".
/// </summary>
public class RunReportRendererTests
{
    private static readonly Lazy<RunReport> AllSamples = new(() => VirtualReport(RunSettings.AllSamples));

    private static RunReport VirtualReport(IReadOnlyList<string> samples)
    {
        var settings = new RunSettings(true, 4, 4, 1, RunSettings.DefaultDurationMilliseconds, null, null, Samples: samples);
        var runs = samples.Select(n => SampleFactory.Create(n, settings)).ToList();
        using var engine = new VirtualTimerEngine();
        var completed = SampleRunner.Run(engine, runs, settings.DurationMilliseconds, settings.Seed);
        return RunReport.From(runs, engine, settings, completed);
    }

    private static string Render(RunReport report, Terminal terminal)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        RunReportRenderer.Write(report, text, terminal);
        return text.ToString();
    }

    [Theory]
    [InlineData(40)]
    [InlineData(60)]
    [InlineData(80)]
    [InlineData(100)]
    [InlineData(132)]
    [InlineData(200)]
    public void TheReport_FitsTheWidth_AndNeverBreaksACallbackName(int width)
    {
        var report = AllSamples.Value;
        var text = Render(report, new Terminal(false, false, width));
        var lines = text.Split('\n');
        Assert.All(lines, line => Assert.True(new StringInfo(line.TrimEnd('\r')).LengthInTextElements <= width, $"{line.Length} > {width}: {line}"));
        var callbacks = report.Samples.SelectMany(s => s.Timers).Select(t => t.Callback).Distinct().ToList();
        Assert.Contains("AhciBusChangeTimerCallback", callbacks);
        Assert.All(callbacks, name => Assert.Contains(lines, line => System.Text.RegularExpressions.Regex.IsMatch(line, $@"(^|[\s|(]){name}($|[\s|)])")));
        Assert.DoesNotContain('\u001b', text);
        Assert.All(lines, line => Assert.Equal(line.TrimEnd(), line)); // no trailing blanks
    }

    [Fact]
    public void TheRedirectedReport_IsPlain_At132Columns_WithEveryTimerOnOneRow()
    {
        var text = Render(AllSamples.Value, Terminal.Redirected);
        Assert.Contains("| StorPortRequestTimer | AhciBusChangeTimerCallback |", text, StringComparison.Ordinal);
        Assert.StartsWith("6 miniports (storahci, nvme, nvme-win7, netvmini, pcnet, e100bex) for 11,000 ms on the virtual clock", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TheLegend_ListsOnlyTheKindsTheReportHas()
    {
        var pcnet = Render(VirtualReport(["pcnet"]), Terminal.Redirected);
        Assert.Contains("Kinds: NdisMTimer (NDIS 5).", pcnet, StringComparison.Ordinal);
        Assert.DoesNotContain("KTIMER", pcnet, StringComparison.Ordinal);
        Assert.DoesNotContain("EX_TIMER", pcnet, StringComparison.Ordinal);
        Assert.DoesNotContain("StorPortRequestTimer", pcnet, StringComparison.Ordinal);
        Assert.StartsWith("1 miniport (pcnet) for 11,000 ms", pcnet, StringComparison.Ordinal);
        var all = Render(AllSamples.Value, Terminal.Redirected).ReplaceLineEndings(" ");
        Assert.Contains("Kinds: NdisMTimer (NDIS 5), NdisTimerObject (NDIS 6), RequestTimerCall (Storport's legacy timer), StorPortRequestTimer (Storport's extended timer).", all, StringComparison.Ordinal);
    }

    [Fact]
    public void TheLongestCallback_IsNamedWithItsKindSampleAndAdapter()
    {
        var report = Sample with
        {
            Engine = Sample.Engine with { LongestCallbackNanoseconds = 21_400_000 },
            LongestCallback = new LongestCallback("storahci", "adapter2", "StorPortRequestTimer", "AhciBusChangeTimerCallback", 21_345.2),
        };
        var text = Render(report, Terminal.Redirected).ReplaceLineEndings(" ");
        Assert.Contains("Longest callback 21345.2 µs: AhciBusChangeTimerCallback (StorPortRequestTimer) of storahci on adapter2;", text, StringComparison.Ordinal);

        // A real report names what its engine measured: the longest row of the run, with its adapter.
        var all = AllSamples.Value;
        var longest = Assert.IsType<LongestCallback>(all.LongestCallback);
        var row = all.Samples.Single(s => s.Name == longest.Sample).Timers.Single(t => t.Callback == longest.Callback);
        Assert.Equal(all.Samples.SelectMany(s => s.Timers).Max(t => t.LongestRunMicroseconds), row.LongestRunMicroseconds);
        Assert.Equal(row.LongestRunMicroseconds, longest.Microseconds);
    }

    [Fact]
    public void TheLongestCallback_SaysWhatItsTimeWentTo_AndTheCollectionsLineSaysHowTheyWereHeldOff()
    {
        string Line(LongestCallback longest) => Render(Sample with { LongestCallback = longest }, Terminal.Redirected).ReplaceLineEndings(" ");
        var callback = new LongestCallback("storahci", "adapter2", "StorPortRequestTimer", "P_Running_Callback", 6_500, CallbackRunCause.FirstCall, 6_100, 0, 0);
        Assert.Contains("P_Running_Callback (StorPortRequestTimer) of storahci on adapter2; every other timer of its dispatcher waited behind it. Cause: its first call (the JIT took 6100.0 µs of it).", Line(callback), StringComparison.Ordinal);
        Assert.Contains("Cause: a collection during it (7000.0 µs of GC pause).", Line(callback with { Cause = CallbackRunCause.Collection, JitMicroseconds = 0, CollectionPauseMicroseconds = 7_000, Collections = 1 }), StringComparison.Ordinal);
        Assert.Contains("Cause: 2 collections during it", Line(callback with { Cause = CallbackRunCause.Collection, CollectionPauseMicroseconds = 7_000, Collections = 2 }), StringComparison.Ordinal);
        Assert.Contains("Cause: the callback's own time (JIT 10.0 µs, GC pause 0.0 µs, CPU wait 0.0 µs, spin-lock wait 0.0 µs of it).", Line(callback with { Cause = CallbackRunCause.OwnTime, JitMicroseconds = 10, CpuWaitMicroseconds = 0 }), StringComparison.Ordinal);
        Assert.Contains("Cause: its thread waited 1800.0 µs of it for a spin lock another thread held.", Line(callback with { Cause = CallbackRunCause.WaitedForSpinLock, SpinLockWaitMicroseconds = 1_800 }), StringComparison.Ordinal);
        Assert.Contains("Cause: its thread waited 5000.0 µs of it for a CPU (a loaded machine).", Line(callback with { Cause = CallbackRunCause.WaitedForCpu, CpuWaitMicroseconds = 5_000 }), StringComparison.Ordinal);

        var text = Render(Sample with { Collections = new CollectionsReport("NoGCRegion of 256 MiB", 0, 0, 0, 0, 125_829_120) }, Terminal.Redirected).ReplaceLineEndings(" ");
        Assert.Contains("Collections during the run (GC latency mode NoGCRegion of 256 MiB): 0 gen0, 0 gen1, 0 gen2, 0.00 ms of pauses, 120.0 MiB allocated.", text, StringComparison.Ordinal);
        var withFaults = Render(Sample with { Collections = new CollectionsReport("NoGCRegion of 256 MiB", 0, 0, 0, 0, 125_829_120, 3_377, 2) }, Terminal.Redirected).ReplaceLineEndings(" ");
        Assert.Contains("120.0 MiB allocated, 3,379 page faults (2 needing I/O).", withFaults, StringComparison.Ordinal);

        // The virtual clock's report has neither: its bytes repeat, and a JIT or a collection lengthens no callback there.
        var all = Render(AllSamples.Value, Terminal.Redirected);
        Assert.DoesNotContain("Cause:", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Collections during the run", all, StringComparison.Ordinal);
        Assert.Null(AllSamples.Value.LongestCallback!.Cause);
    }

    [Fact]
    public void TheJitLine_SaysWhatWasCompiledDuringTheRun_AndTheEnginesLongestIsNamed()
    {
        var settled = new JitReport(704, 374.5, new RehearsalReport(1_480.2, 500, 3, TieredCompilation: true), new JitSettle(278.8, 31, Settled: true));
        var text = Render(Sample with { Jit = settled }, Terminal.Redirected).ReplaceLineEndings(" ");
        Assert.Contains("JIT during the run: 704 methods compiled (374.5 ms of compilation, all threads). Before it the samples were rehearsed for 1480.2 ms (500 ms on a real clock, then 3 passes on a virtual one). Then the run waited 278.8 ms for the rehearsal's tier-1 compilations (31 methods).", text, StringComparison.Ordinal);
        var noRehearsal = Render(Sample with { Jit = settled with { Rehearsal = null } }, Terminal.Redirected).ReplaceLineEndings(" ");
        Assert.DoesNotContain("rehearsed", noRehearsal, StringComparison.Ordinal);
        Assert.DoesNotContain("Tiered compilation was off", text, StringComparison.Ordinal);
        var untiered = Render(Sample with { Jit = settled with { Rehearsal = new RehearsalReport(900, 500, 1, TieredCompilation: false) } }, Terminal.Redirected).ReplaceLineEndings(" ");
        Assert.Contains("Tiered compilation was off (the run was measured in a child process of the tool: each method compiled once, optimized). Before it the samples were rehearsed for 900.0 ms (500 ms on a real clock, then 1 pass on a virtual one).", untiered, StringComparison.Ordinal);
        var unsettled = Render(Sample with { Jit = settled with { Settle = new JitSettle(3_000, 900, Settled: false) } }, Terminal.Redirected).ReplaceLineEndings(" ");
        Assert.Contains("(900 methods), and started before they were done.", unsettled, StringComparison.Ordinal);
        Assert.DoesNotContain("JIT during the run", Render(AllSamples.Value, Terminal.Redirected), StringComparison.Ordinal);

        var callback = new LongestCallback("netvmini", "nic0", "NdisTimerObject", "SendCompleteTimerDpc", 500);
        var engineLongest = Sample with { LongestCallback = callback, Engine = Sample.Engine with { LongestCallbackNanoseconds = 4_000_000 }, EngineLongestCallback = "Workload (a lambda in Schedule)" };
        Assert.Contains("The engine's longest, 4000.0 µs, was outside the miniports' timer DDIs: Workload (a lambda in Schedule).", Render(engineLongest, Terminal.Redirected).ReplaceLineEndings(" "), StringComparison.Ordinal);
    }

    [Fact]
    public void TheWorstTimer_IsJudgedPastItsTolerableDelay_AndSetAgainstTheOsFloor()
    {
        SampleReport SampleOf(string name, params TimerRow[] timers) => new(name, timers, [], null, [], []);
        TimerRow Row(string callback, long fires, double p99, double? tolerance = null, double? pastP99 = null) =>
            new("StorPortRequestTimer", callback, fires, fires, 0, 0, 0, 0, fires, 0, 10, 20, p99, p99, p99, 5, tolerance, pastP99, pastP99);

        // The tolerant timer is the latest from its due time (1,000 µs), but inside its 20 ms: judged by 0 past it.
        var samples = new[]
        {
            SampleOf("storahci", Row("AhciAutoPartialToSlumber", 210, 1_000, 20_000, 0), Row("P_Running_Callback", 48, 300)),
            SampleOf("nvme", Row("NVMeRunning", 9, 450)),
        };
        var floor = new OsFloor("timerfd", 1000, 10_000, 40, 150);
        var worst = Assert.IsType<WorstTimer>(WorstTimer.Of(samples, floor));
        Assert.Equal(("nvme", "NVMeRunning", 450.0, false, (double?)3.0), (worst.Sample, worst.Callback, worst.P99Microseconds, worst.PastTolerance, worst.TimesOsFloorP99));

        // Past its delay by more than the others' lateness, the tolerant one is the worst.
        samples[0] = SampleOf("storahci", Row("AhciAutoPartialToSlumber", 210, 21_000, 20_000, 1_000));
        worst = Assert.IsType<WorstTimer>(WorstTimer.Of(samples, floor));
        Assert.Equal(("AhciAutoPartialToSlumber", 1_000.0, true), (worst.Callback, worst.P99Microseconds, worst.PastTolerance));
        Assert.Null(WorstTimer.Of(samples, null)!.TimesOsFloorP99);
        Assert.Null(WorstTimer.Of([SampleOf("idle", Row("Never", 0, 0))], floor));

        var text = Render(Sample with { WorstTimer = worst with { TimesOsFloorP99 = 6.67 } }, Terminal.Redirected).ReplaceLineEndings(" ");
        Assert.Contains("Worst timer p99: 1000.0 µs, storahci AhciAutoPartialToSlumber (StorPortRequestTimer, 210 fires, past its tolerable delay): 6.7× the OS floor's p99.", text, StringComparison.Ordinal);
        var tolerant = Render(Sample with { Samples = [samples[0]] }, Terminal.Redirected).ReplaceLineEndings(" ");
        Assert.Contains("AhciAutoPartialToSlumber allows up to 20000.0 µs of tolerable delay, inside which the engine lets it ride along with another wake-up: lateness past it p99 1000.0 µs, max 1000.0 µs.", tolerant, StringComparison.Ordinal);
        Assert.DoesNotContain("Worst timer p99", Render(AllSamples.Value, Terminal.Redirected), StringComparison.Ordinal); // the virtual clock's report is unchanged

        // The floor's tail beside its p99: a timer of fewer than 100 fires has its worst fire as its p99.
        var withFloor = Render(Sample with { OsFloor = floor with { P999Microseconds = 410, MaxMicroseconds = 1_250.5 } }, Terminal.Redirected).ReplaceLineEndings(" ");
        Assert.Contains("p50 40.0 µs, p99 150.0 µs (p99.9 410.0 µs, max 1250.5 µs).", withFloor, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissOfATimerWithFewFires_IsSetBesideTheChanceThatTheFloorAloneWouldMissAsOften()
    {
        SampleReport SampleOf(string name, params TimerRow[] timers) => new(name, timers, [], null, [], []);
        TimerRow Row(string callback, long fires, double p99) =>
            new("StorPortRequestTimer", callback, fires, fires, 0, 0, 0, 0, fires, 0, 10, 20, p99, p99, p99, 5, null, null, null);

        // 0.5 % of the floor's wake-ups were over 3× its p99: 17 of them include one with chance 1 - 0.995^17 = 8.2 %.
        var floor = new OsFloor("timerfd", 1000, 10_000, 40, 150) { OverTargetFraction = 0.005 };
        Assert.Equal(1 - Math.Pow(0.995, 17), floor.ChanceOfAWakeUpOverTarget(17)!.Value, 12);
        Assert.Equal(0, floor.ChanceOfAWakeUpOverTarget(0));
        Assert.Null(new OsFloor("timerfd", 1000, 0, null, null).ChanceOfAWakeUpOverTarget(17));

        var fewFires = Assert.IsType<WorstTimer>(WorstTimer.Of([SampleOf("nvme", Row("IsDeviceRemoved", 17, 900))], floor));
        Assert.Equal(0.0817, fewFires.FloorChanceOverTarget!.Value, 4);
        var text = Render(Sample with { OsFloor = floor, WorstTimer = fewFires }, Terminal.Redirected).ReplaceLineEndings(" ");
        Assert.Contains("6.0× the OS floor's p99. Its p99 is its latest fire; the floor's own wake-ups were later than 3× its p99 in 0.5 % of cases, so 17 wake-ups that only waited for the OS would include one as late in 8.2 % of runs.", text, StringComparison.Ordinal);

        Assert.Equal((1, 17L, 0.0817), (fewFires.FewFireTimers, fewFires.FewFireTimersFires, fewFires.FloorChanceOverTargetInRun!.Value));

        // The run's other timers of fewer than 100 fires count too (49 + 17 + 4 = 70 fires: 1 - 0.995^70 = 29.6 %); one of 100 does not.
        var run = new[] { SampleOf("storahci", Row("P_Running_Callback", 49, 300), Row("Poll", 100, 300)), SampleOf("nvme", Row("IsDeviceRemoved", 17, 900), Row("Watchdog", 4, 100)) };
        var inRun = Assert.IsType<WorstTimer>(WorstTimer.Of(run, floor));
        Assert.Equal((3, 70L, Math.Round(1 - Math.Pow(0.995, 70), 4)), (inRun.FewFireTimers, inRun.FewFireTimersFires, inRun.FloorChanceOverTargetInRun!.Value));
        Assert.Contains("would include one as late in 8.2 % of runs, and the 70 fires of the run's 3 timers of fewer than 100 fires in 30 %.", Render(Sample with { OsFloor = floor, WorstTimer = inRun }, Terminal.Redirected).ReplaceLineEndings(" "), StringComparison.Ordinal);

        // 100 fires or more: the p99 is not one fire, so no such chance; within 3×: no sentence.
        Assert.Null(WorstTimer.Of([SampleOf("nvme", Row("NVMeRunning", 100, 952))], floor)!.FloorChanceOverTarget);
        var within = Assert.IsType<WorstTimer>(WorstTimer.Of([SampleOf("nvme", Row("IsDeviceRemoved", 17, 300))], floor));
        Assert.DoesNotContain("only waited for the OS", Render(Sample with { OsFloor = floor, WorstTimer = within }, Terminal.Redirected).ReplaceLineEndings(" "), StringComparison.Ordinal);
    }

    [Fact]
    public void TheLateFires_AreTheTimersOverThreeFloors_EachWorstFireSplitIntoItsParts_OrElseTheWorstTimersAlone()
    {
        const long Us = 1_000;
        static TimerActivity Activity(string callback, long latenessMicroseconds, long wokeAtMicroseconds, long takenAtMicroseconds)
        {
            var activity = new TimerActivity("NdisTimerObject", callback);
            Assert.True(activity.CountFire(latenessMicroseconds * Us, 0));
            activity.CountWorstFire(1_500 * Us, 1_500 * Us, (1_500 + wokeAtMicroseconds) * Us, (1_500 + takenAtMicroseconds) * Us, (1_500 + latenessMicroseconds) * Us, -1, MiniportTimers.Kernel.Timers.CallbackRunProbe.Now(realClock: false));
            return activity;
        }

        static TimerRow Row(string callback, long fires, double p99) =>
            new("NdisTimerObject", callback, fires, fires, 0, 0, 0, 0, fires, 0, 10, 20, p99, p99, p99, 5);

        var sample = new SampleReport("netvmini", [Row("AsyncBusyCheckTimerDpc", 4, 600), Row("SendCompleteTimerDpc", 90, 200), Row("Poll", 9, 500)], [], null, [], []);
        IReadOnlyList<TimerActivity> rows = [Activity("AsyncBusyCheckTimerDpc", 600, 100, 550), Activity("SendCompleteTimerDpc", 200, 0, 0), Activity("Poll", 500, 0, 480)];

        var over = LateFireRow.Of([(sample, rows)], new OsFloor("timerfd", 1000, 10_000, 40, 100)); // 3× = 300 µs
        Assert.Equal(["AsyncBusyCheckTimerDpc", "Poll"], over.Select(f => f.Callback));
        Assert.Equal((1.5, 600.0, 100.0, 450.0, 50.0, 0.0, 6.0), (over[0].DueMilliseconds, over[0].LatenessMicroseconds, over[0].WakeUpMicroseconds, over[0].BehindCallbacksMicroseconds, over[0].DispatchPathMicroseconds, over[0].ClockTickMicroseconds, over[0].TimesOsFloorP99!.Value));
        Assert.Null(over[0].DispatchPath); // its expiry's return was not counted: no probes

        var none = LateFireRow.Of([(sample, rows)], new OsFloor("timerfd", 1000, 10_000, 40, 250)); // 3× = 750 µs: none over, so the worst alone
        Assert.Equal(["AsyncBusyCheckTimerDpc"], none.Select(f => f.Callback));

        Assert.Null(over[0].CpuWaitSinceDueMicroseconds); // no schedstat reading given
        var probed = over[0] with { DispatchPath = new DispatchPathProbes(0, 0, 0, 0, 40), CpuWaitSinceDueMicroseconds = 90, DeadlinePastDueMicroseconds = 30 };
        var text = Render(Sample with { LateFires = [probed, over[1]] }, Terminal.Redirected).ReplaceLineEndings(" ");
        Assert.Contains("Why they were late: the worst fire of each timer over 3× the floor's p99, split into the dispatcher's wake-up after the due time, the other callbacks it ran first, and the host's dispatch path (µs):", text, StringComparison.Ordinal);
        Assert.Contains("  netvmini AsyncBusyCheckTimerDpc (4 fires), due at 1.500 ms: 600.0 late = wake-up 100.0 (its deadline 30.0 past the due time, the OS 70.0 past its deadline) + behind other callbacks 450.0 + dispatch path 50.0 (in it: spin-lock wait 40.0); the dispatcher waited 90.0 for a CPU since the due time.", text, StringComparison.Ordinal);
        Assert.Contains("  netvmini Poll (9 fires), due at 1.500 ms: 500.0 late = wake-up 0.0 + behind other callbacks 480.0 + dispatch path 20.0.", text, StringComparison.Ordinal);
        var named = Render(Sample with { LateFires = [over[1] with { LongestBehindCallback = "MediaDetectionCallback (NdisMTimer)", LongestBehindMicroseconds = 410 }] }, Terminal.Redirected).ReplaceLineEndings(" ");
        Assert.Contains("behind other callbacks 480.0 (the longest: MediaDetectionCallback (NdisMTimer), 410.0 of it) + dispatch path 20.0.", named, StringComparison.Ordinal);
        var quiet = Render(Sample with { LateFires = none }, Terminal.Redirected).ReplaceLineEndings(" ");
        Assert.Contains("The worst timer's worst fire, split into", quiet, StringComparison.Ordinal);

        // The virtual clock's report has none: its parts would all be "behind other callbacks" (AllSamples: virtual).
        Assert.Null(AllSamples.Value.LateFires);
        Assert.DoesNotContain("worst fire", Render(AllSamples.Value, Terminal.Redirected), StringComparison.Ordinal);
    }

    [Fact]
    public void OnAColourTerminal_FailuresBugChecksAndFindingsAreColoured_AndWithNoColorNothingIs()
    {
        var colour = Render(Sample, new Terminal(true, true, 120));
        Assert.Matches("\u001b\\[[0-9;]*m(\u001b\\[[0-9;]*m)*INVARIANT FAILURE: storahci: 2 requests were never completed", colour);
        Assert.Matches("\u001b\\[[0-9;]*m  adapter0 in Removal: 0xC7 TIMER_OR_DPC_INVALID", colour);
        Assert.Matches("\u001b\\[[0-9;]*m  adapter1: TimerFreedWhileQueued", colour);

        var noColor = Terminal.For(true, name => name == "NO_COLOR" ? "1" : null, () => 120);
        Assert.False(noColor.Colour);
        Assert.DoesNotContain('\u001b', Render(Sample, noColor));
        Assert.DoesNotContain('\u001b', Render(Sample, Terminal.Redirected));
    }

    /// <summary>A report with one of everything that stands out.</summary>
    private static RunReport Sample { get; } = new(
        RunReport.CurrentSchemaVersion,
        "0.1.0",
        new MachineInfo("Linux", 2, ".NET"),
        default,
        "real",
        "timerfd",
        1,
        11_000,
        [new SampleReport(
            "storahci",
            [new TimerRow("StorPortRequestTimer", "AhciBusChangeTimerCallback", 12, 12, 0, 0, 0, 0, 12, 0, 41.2, 80, 690.3, 690.3, 690.3, 21_345.2)],
            [new Fact("ports_started", "ports started", 16)],
            null,
            [new BugCheckRow("adapter0", "Removal", "0xC7", "TIMER_OR_DPC_INVALID", "a timer was still queued")],
            [new FindingRow("adapter1", "TimerFreedWhileQueued", "freed while queued")])],
        new EngineStatistics(10, 1, 9, 9, 0, 0, 0, 21_400_000),
        1,
        ["storahci: 2 requests were never completed"],
        null);
}
