using System.Globalization;
using System.Text.RegularExpressions;
using MiniportTimers.Engine;
using MiniportTimers.Native.Ndis;
using MiniportTimers.Ndis;

namespace MiniportTimers.Tests.Native.Ndis;

/// <summary>
/// Issue 12: our own C NDIS miniports, one on NDIS 5 miniport timers (native/miniports/ndis5_timers.c) and one on NDIS 6
/// timer objects (ndis6_timers.c), built by gcc and run on the virtual clock with exact times.
/// </summary>
[Collection(NativeDriverCollection.Name)]
public sealed partial class NativeNdisMiniportTests : IDisposable
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private readonly List<IDisposable> _disposables = [];

    public void Dispose() => _disposables.ForEach(d => d.Dispose());

    [NativeFact]
    public void Ndis5_APeriodicMediaPoll_Every100ms_CancelledOnPause_SetAgainOnRestart()
    {
        var (host, driver, engine) = Start("ndis5_timers");
        var adapter = Assert.Single(host.Adapters);
        Assert.Equal(NdisAdapterState.Running, adapter.State);
        engine.AdvanceBy(350 * Ms);
        Assert.Equal([1_000_000L, 2_000_000L, 3_000_000L], Times(driver, "MediaPoll"));
        // SystemSpecific1 is the timer's own storage; the performance counter runs at 10 MHz, the tick count in 15.625 ms ticks.
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("MediaPoll 1 at 1000000 timer own irql 2 qpc 1000000/10000000 ticks 6 of 156250", StringComparison.Ordinal));

        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, adapter.Pause());
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("Pause at 3500000: media timer cancelled 1", StringComparison.Ordinal));
        engine.AdvanceBy(300 * Ms);
        Assert.Equal(3, Times(driver, "MediaPoll").Count);

        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, adapter.Restart());
        engine.AdvanceBy(100 * Ms);
        Assert.Equal(7_500_000L, Times(driver, "MediaPoll")[^1]);
        var row = Assert.Single(host.Diagnostics.TimerActivity.Rows, r => r.Callback == "MediaPoll");
        // Arms: MiniportInitializeEx's, then MiniportRestart's after it (the host starts an NDIS 6 adapter paused and
        // restarts it, and each set replaces the pending one), then the restart after the pause.
        Assert.Equal(("NdisMTimer", 3L, 4L, 1L), (row.Kind, row.Arms, row.Fires, row.Cancels));
    }

    [NativeFact]
    public void Ndis5_AResetPends_AndCompletesFromTheLinkTimersCallback50msLater()
    {
        var (host, driver, engine) = Start("ndis5_timers");
        var adapter = host.Adapters[0];
        engine.AdvanceBy(10 * Ms);
        Assert.Equal(NdisApi.NDIS_STATUS_PENDING, adapter.Reset());
        Assert.True(adapter.ResetInProgress);
        engine.AdvanceBy(50 * Ms);
        Assert.False(adapter.ResetInProgress);
        Assert.Equal(1, host.CountCompletions("ResetComplete", NdisApi.NDIS_STATUS_SUCCESS, fromTimerCallback: true));
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("LinkTimer completes the reset at 600000", StringComparison.Ordinal));
    }

    [NativeFact]
    public void Ndis5_Halt_CancelsItsTimers_NoFindingNoBugCheck()
    {
        var (host, driver, engine) = Start("ndis5_timers");
        var adapter = host.Adapters[0];
        engine.AdvanceBy(150 * Ms);
        adapter.Halt();
        Assert.Equal(NdisAdapterState.Halted, adapter.State);
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("Halt: media timer cancelled 1", StringComparison.Ordinal));
        Assert.Empty(host.Diagnostics.BugChecks);
        Assert.Equal(0, host.Diagnostics.FindingCount);
    }

    [NativeFact]
    public void Ndis6_APausePends_AndCompletesAfterThreeBusyChecks_AtExactly300ms()
    {
        var (host, driver, engine) = Start("ndis6_timers");
        var adapter = Assert.Single(host.Adapters);
        engine.AdvanceBy(20 * Ms);
        Assert.Equal(NdisApi.NDIS_STATUS_PENDING, adapter.Pause());
        Assert.Equal(NdisAdapterState.Pausing, adapter.State);
        engine.AdvanceBy(299 * Ms);
        Assert.Equal(NdisAdapterState.Pausing, adapter.State);
        engine.AdvanceBy(1 * Ms);
        Assert.Equal(NdisAdapterState.Paused, adapter.State);
        Assert.Equal([1_200_000L, 2_200_000L, 3_200_000L], Times(driver, "BusyCheck"));
        var row = Assert.Single(host.Diagnostics.TimerActivity.Rows, r => r.Callback == "BusyCheck");
        Assert.Equal(("NdisTimerObject", 3L), (row.Kind, row.Fires));
    }

    [NativeFact]
    public void Ndis6_ACoalescableHeartbeat_FiresWithinItsTolerance_AndHaltCancelsAndFreesAtPassive()
    {
        var (host, driver, engine) = Start("ndis6_timers");
        engine.AdvanceBy(3_500 * Ms);
        var beats = Times(driver, "Heartbeat");
        Assert.Equal(3, beats.Count);
        for (var i = 0; i < beats.Count; i++)
        {
            Assert.InRange(beats[i], (i + 1) * 10_000_000L, ((i + 1) * 10_000_000L) + 1_000_000L); // due, due + 100 ms
        }

        host.Adapters[0].Halt();
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("Halt at irql 0: heartbeat was queued 1", StringComparison.Ordinal));
        Assert.Empty(host.Diagnostics.BugChecks); // a periodic cancel at PASSIVE_LEVEL, then the frees: no misuse
        Assert.Equal(0, host.Diagnostics.FindingCount);
        engine.AdvanceBy(5_000 * Ms);
        Assert.Equal(3, Times(driver, "Heartbeat").Count);
    }

    [NativeFact]
    public void Ndis6_ALineInterrupt_RunsTheCIsrAtTheDeviceIrql_AndItsDpcSynchronizesWithIt()
    {
        var (host, driver, engine) = Start("ndis6_timers");
        engine.AdvanceBy(7 * Ms);
        Assert.True(host.Adapters[0].RaiseInterrupt());
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("Isr 1 at 70000 irql 5", StringComparison.Ordinal));
        engine.AdvanceBy(Ms);
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("InterruptDpc 1 at 70000 irql 2 synchronized above dispatch 1", StringComparison.Ordinal)); // queued at 7 ms: the next dispatch
        host.Adapters[0].Halt();
        Assert.Empty(host.Diagnostics.BugChecks);
    }

    [NativeFact]
    public void OnTheRealClock_BothDriversTimersFire_GenerousBounds()
    {
        foreach (var (name, routine) in new[] { ("ndis5_timers", "MediaPoll"), ("ndis6_timers", "Heartbeat") })
        {
            using var engine = new RealTimeTimerEngine("native-ndis-test");
            var host = new NdisHost(engine);
            var driver = NativeNdisDriver.Load(NativeBuild.Driver(name), host);
            using var fired = new ManualResetEventSlim();
            driver.DebugPrinted += line =>
            {
                if (line.StartsWith(routine, StringComparison.Ordinal))
                {
                    fired.Set();
                }
            };
            var adapter = host.AddAdapter();
            Assert.True(fired.Wait(TimeSpan.FromSeconds(10)), $"{name}: {routine} ran on the real clock");
            adapter.Halt();
            Assert.Empty(host.Diagnostics.BugChecks);
        }
    }

    private (NdisHost Host, NativeNdisDriver Driver, VirtualTimerEngine Engine) Start(string name)
    {
        var engine = new VirtualTimerEngine();
        _disposables.Add(engine);
        var host = new NdisHost(engine);
        var driver = NativeNdisDriver.Load(NativeBuild.Driver(name), host);
        Assert.Equal(0, driver.DriverEntryStatus);
        host.AddAdapter();
        return (host, driver, engine);
    }

    private static List<long> Times(MiniportTimers.Native.NativeDriver driver, string routine) =>
        [.. driver.DebugOutput.Select(l => TimePattern().Match(l)).Where(m => m.Success && m.Groups[1].Value == routine).Select(m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))];

    [GeneratedRegex(@"^(\w+) \d+ at (\d+)")]
    private static partial Regex TimePattern();
}
