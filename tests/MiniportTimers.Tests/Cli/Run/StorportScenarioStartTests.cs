using MiniportTimers.Cli.Run;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Cli.Run;

/// <summary>
/// Where the Storport scenario runs an adapter's start (StorportDriverScenario's remarks): a miniport that waits in
/// HwPassiveInitialize, in a StorPortStallExecution loop, for its own RequestTimerCall timer to bring the device up, as
/// OFA nvmewin does. On the virtual clock the start runs inline in the workload's time-0 event and the stall advances
/// the clock (the timer fires every 5 ms exactly, on the same thread); on the real clock it runs on a PnP start thread
/// of its own, so the dispatcher is free to fire the timer (before, the wait spun on the one dispatcher and the timer
/// fired once, after the miniport gave up).
/// </summary>
public sealed class StorportScenarioStartTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private const int ReadyAfterFires = 10;      // "the controller is up" after the 10th 5 ms check-back
    private const uint GiveUpMilliseconds = 5_000;

    [Fact]
    public void VirtualClock_TheStartRunsInlineOnTheAdvancingThread_AndTheStallFiresTheTimerEvery5ms()
    {
        using var engine = new VirtualTimerEngine();
        var (scenario, miniport) = Schedule(engine, durationNanoseconds: 1_000 * Ms);
        engine.AdvanceTo(1_000 * Ms);

        Assert.True(scenario.WaitForStart(TimeSpan.Zero));
        Assert.Equal(AdapterState.Started, scenario.Adapter!.State);
        Assert.Equal(Environment.CurrentManagedThreadId, miniport.PassiveThreadId);
        Assert.Equal(Enumerable.Range(1, ReadyAfterFires).Select(k => k * 5 * Ms).ToList(), miniport.FiredAtNanoseconds);
        Assert.Equal(ReadyAfterFires * 5 * Ms, miniport.PassiveReturnedAtNanoseconds);
        Assert.Empty(scenario.Adapter.Host.BugChecks);
        scenario.Adapter.Remove();
    }

    [Fact]
    public void RealClock_TheStartRunsOnItsOwnThread_AndTheDispatcherFiresTheTimerMeanwhile()
    {
        using var engine = new RealTimeTimerEngine("scenario-start-test");
        var (scenario, miniport) = Schedule(engine, durationNanoseconds: 2_000 * Ms);

        // Generous bounds (a loaded machine): the start returns long before the miniport's 5 s give-up.
        Assert.True(scenario.WaitForStart(TimeSpan.FromSeconds(30)), "the start returned");
        Assert.Equal(AdapterState.Started, scenario.Adapter!.State);
        Assert.NotEqual(miniport.TimerThreadId, miniport.PassiveThreadId);
        Assert.StartsWith("PnP start", miniport.PassiveThreadName, StringComparison.Ordinal);
        Assert.True(miniport.FiredAtNanoseconds.Count >= ReadyAfterFires);
        Assert.InRange(miniport.PassiveReturnedAtNanoseconds - miniport.PassiveStartedAtNanoseconds, 0, 2_500 * Ms);
        Assert.Empty(scenario.Adapter.Host.BugChecks);
        scenario.Adapter.Remove();
    }

    private static (StorportDriverScenario Scenario, WaitingMiniport Miniport) Schedule(TimerEngine engine, long durationNanoseconds)
    {
        var host = new StorportHost(engine);
        var miniport = new WaitingMiniport(engine);
        Assert.Equal(0u, host.StorPortInitialize(miniport.InitializationData()));
        var scenario = new StorportDriverScenario(host, new StorportScenarioOptions { Device = StorportScenarioDeviceKind.Nvme });
        scenario.Schedule(new Workload(engine, engine.NowNanoseconds, 1), durationNanoseconds);
        return (scenario, miniport);
    }

    /// <summary>
    /// A miniport whose HwPassiveInitialize arms its legacy timer every 5 ms from the timer itself and waits for it in a
    /// 1 ms StorPortStallExecution loop (up to 5 s); the device is "up" after 10 fires. Every request finds no device.
    /// </summary>
    private sealed class WaitingMiniport(TimerEngine engine)
    {
        private volatile int _fires;

        public List<long> FiredAtNanoseconds { get; } = [];

        public int PassiveThreadId { get; private set; }

        public string? PassiveThreadName { get; private set; }

        public int TimerThreadId { get; private set; }

        public long PassiveStartedAtNanoseconds { get; private set; }

        public long PassiveReturnedAtNanoseconds { get; private set; }

        public HW_INITIALIZATION_DATA InitializationData() => new()
        {
            DeviceExtensionFactory = () => new object(),
            HwFindAdapter = (object ext, object? ctx, object? bus, string? args, PORT_CONFIGURATION_INFORMATION config, out bool again) =>
            {
                again = false;
                return SP_RETURN_FOUND;
            },
            HwInitialize = ext => StorPortEnablePassiveInitialization(ext, Passive),
            HwStartIo = (ext, srb) =>
            {
                srb.SrbStatus = 0x08; // SRB_STATUS_NO_DEVICE: the bus is empty
                StorPortNotification(RequestComplete, ext, srb);
                return true;
            },
            HwInterrupt = _ => false,
            HwAdapterControl = (_, _, _) => 0,
        };

        private bool Passive(object ext)
        {
            PassiveThreadId = Environment.CurrentManagedThreadId;
            PassiveThreadName = Thread.CurrentThread.Name;
            PassiveStartedAtNanoseconds = engine.NowNanoseconds;
            StorPortNotification(RequestTimerCall, ext, Tick, 5_000);
            for (var waited = 0u; _fires < ReadyAfterFires && waited < GiveUpMilliseconds; waited++)
            {
                StorPortStallExecution(1_000);
            }

            PassiveReturnedAtNanoseconds = engine.NowNanoseconds;
            return _fires >= ReadyAfterFires;
        }

        private void Tick(object ext)
        {
            TimerThreadId = Environment.CurrentManagedThreadId;
            lock (FiredAtNanoseconds)
            {
                FiredAtNanoseconds.Add(engine.NowNanoseconds);
            }

            if (++_fires < ReadyAfterFires)
            {
                StorPortNotification(RequestTimerCall, ext, Tick, 5_000);
            }
        }
    }
}
