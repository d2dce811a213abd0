using MiniportTimers.Devices.Ahci;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Sata;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Storahci;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Samples;

/// <summary>The storahci sample end to end (real-drivers.md S1, S1b, S1c), on the virtual clock unless named otherwise.</summary>
public class StorahciSampleTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    [Fact]
    public void DefaultScenario_AllPortsStartAndEveryTimerPathIsTaken()
    {
        var result = StorahciRun.Execute(new VirtualTimerEngine(), new StorahciScenario());
        Assert.True(result.Completed);
        Assert.Equal(16, result.PortsStarted);
        Assert.Empty(result.Host.BugChecks);
        Assert.Empty(result.Host.Findings); // removal freed every timer the driver had
        var c = result.Counters;
        Assert.True(c.Slumbers > 0, "LPM timer ran out at least once");
        Assert.True(c.LpmRequests > c.Slumbers, "some LPM requests were cancelled by activity");
        Assert.Equal(0, c.UnexpectedBusy);
        Assert.True(c.BusChangeRetries > 0 && c.BusChangeDone > 0 && c.BusChangeTimerInits > 0);
        Assert.Equal(4, c.PowerDowns);
        var requests = result.Host.RequestActivity;
        Assert.Equal(requests.Submitted, requests.Completed);
        Assert.True(requests.CompletedIn(MiniportRoutine.TimerCallback) >= 16, "the early TEST UNIT READYs completed from the start timer callback");
        Assert.Empty(result.Host.Adapters); // every adapter was removed, and the host released it
        var lpm = result.Timers.Single(t => t.Callback == nameof(LinkPowerManagement.AhciAutoPartialToSlumber));
        Assert.True(lpm.Cancels > 0);
        // The 20 ms tolerable delay is used; a callback may start a little later still when earlier callbacks of the
        // same coalesced wake-up stalled (the slumber path stalls 5 µs, which moves the virtual clock).
        Assert.InRange(lpm.Lateness.MaxNanoseconds, 15 * Ms, 21 * Ms);
        var start = result.Timers.Single(t => t.Callback == nameof(PortStart.P_Running_Callback));
        Assert.Equal(0, start.Lateness.PercentileNanoseconds(50)); // no tolerance: on time, but for ...
        Assert.InRange(start.Lateness.MaxNanoseconds, 0, 50 * TimeUnits.NanosecondsPerMicrosecond); // ... stalls ahead of it
    }

    [Fact]
    public void PortsOfAnAdapter_StartOneAfterAnother()
    {
        // No workload: each port's first attempt begins exactly when the previous port's attempt ends.
        var scenario = new StorahciScenario { Adapters = 1, PortsPerAdapter = 4 };
        var engine = new VirtualTimerEngine();
        var host = StartOnly(engine, scenario, out var ext);
        engine.AdvanceBy(5_000 * Ms);
        for (var p = 1; p < ext.Ports.Count; p++)
        {
            Assert.Equal(ext.Ports[p - 1].FinishedAttemptAtNanoseconds, ext.Ports[p].StartedAttemptAtNanoseconds);
        }

        Assert.All(ext.Ports, p => Assert.Equal(PortOutcome.Running, p.Outcome));
        Assert.Empty(host.BugChecks);
    }

    [Fact]
    public void NeverReadyPort_GivesUpAfter60SecondsOfVirtualTimeAndTheNextPortStartsThen()
    {
        var result = StorahciRun.Execute(new VirtualTimerEngine(), new StorahciScenario { Adapters = 1, PortsPerAdapter = 2, NeverReadyPort = "0:0", DurationMilliseconds = 70_000 });
        var stuck = result.Ports.Single(p => p.Port == 0);
        var next = result.Ports.Single(p => p.Port == 1);
        Assert.Equal(PortOutcome.Failed, stuck.Outcome);
        Assert.InRange(stuck.StartMilliseconds, 60_000, 61_100);
        Assert.Equal(PortOutcome.Running, next.Outcome);
        Assert.True(next.FinishedAtMilliseconds > 60_000);
        Assert.Empty(result.Host.BugChecks);
        Assert.True(result.Completed);
    }

    [Fact]
    public void EmptyPort_IsReportedEmptyAndTheChainGoesOn()
    {
        var result = StorahciRun.Execute(new VirtualTimerEngine(), new StorahciScenario { Adapters = 1, PortsPerAdapter = 3, EmptyPort = "0:0", DurationMilliseconds = 1_000 });
        Assert.Equal(PortOutcome.NoDevice, result.Ports[0].Outcome);
        Assert.Equal(2, result.PortsStarted);
        Assert.InRange(result.Ports[0].StartMilliseconds, 30, 30); // three 10 ms DET polls, then no device
    }

    [Fact]
    public void SameSeed_GivesTheSameRun()
    {
        static string Fingerprint(StorahciResult r) =>
            string.Join(";", r.Ports.Select(p => $"{p.Adapter}/{p.Port}/{p.Outcome}/{p.StartMilliseconds}/{p.FinishedAtMilliseconds}"))
            + "|" + string.Join(";", r.Timers.Select(t => $"{t.Callback}/{t.Arms}/{t.Fires}/{t.Cancels}/{t.Busy}/{t.Lateness.PercentileNanoseconds(50)}/{t.Lateness.MaxNanoseconds}"))
            + "|" + r.Host.RequestActivity.Completed + "|" + r.Counters;
        var a = StorahciRun.Execute(new VirtualTimerEngine(), new StorahciScenario { Seed = 7 });
        var b = StorahciRun.Execute(new VirtualTimerEngine(), new StorahciScenario { Seed = 7 });
        var c = StorahciRun.Execute(new VirtualTimerEngine(), new StorahciScenario { Seed = 8 });
        Assert.Equal(Fingerprint(a), Fingerprint(b));
        Assert.NotEqual(Fingerprint(a), Fingerprint(c));
    }

    [Fact]
    public void Lpm_IdleActiveIdleInsideTheInterval_SecondRequestSucceedsAndSlumberFollows()
    {
        var engine = new VirtualTimerEngine();
        var host = StartOnly(engine, new StorahciScenario { Adapters = 1, PortsPerAdapter = 1 }, out var ext);
        engine.AdvanceBy(1_000 * Ms);
        var adapter = host.Adapters[0];
        void Active(bool a) => adapter.UnitControl(SCSI_UNIT_CONTROL_TYPE.ScsiUnitPoFxPowerActive, new STOR_POFX_ACTIVE_CONTEXT(0, 0, 0, a));
        Active(false);
        engine.AdvanceBy(30 * Ms);
        Active(true);
        engine.AdvanceBy(10 * Ms);
        Active(false);
        engine.AdvanceBy(99 * Ms);
        Assert.Equal(0, ext.Counters.Slumbers);
        engine.AdvanceBy(30 * Ms); // interval 100 ms + tolerable delay 20 ms from the second idle
        Assert.Equal(1, ext.Counters.Slumbers);
        Assert.Equal(0, ext.Counters.UnexpectedBusy);
        Assert.Equal("Slumber", ext.Ports[0].LinkPower); // PxSSTS.IPM = 6 on the HBA
    }

    [Fact]
    public void ResetWhileTheStartTimerIsPending_RequestIsBusyAndThePendingCallbackFinishesTheStart()
    {
        var engine = new VirtualTimerEngine();
        var scenario = new StorahciScenario { Adapters = 1, PortsPerAdapter = 1 };
        var host = StartOnly(engine, scenario, out var ext);
        var port = ext.Ports[0];
        Assert.Equal(PortOutcome.Starting, port.Outcome); // the first poll is pending
        host.Adapters[0].SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_RESET_BUS, PathId = 0 });
        engine.AdvanceBy(2_000 * Ms);
        Assert.Equal(PortOutcome.Running, port.Outcome);
        Assert.True(host.TimerActivity.Rows.Single(r => r.Callback == nameof(PortStart.P_Running_Callback)).Busy >= 1);
        Assert.Empty(host.BugChecks);
    }

    [Fact]
    public void PowerDownDuringStart_CancelsTheStartTimerAndPowerUpStartsAgain()
    {
        var engine = new VirtualTimerEngine();
        var host = StartOnly(engine, new StorahciScenario { Adapters = 1, PortsPerAdapter = 1 }, out var ext);
        var adapter = host.Adapters[0];
        Assert.Equal(PortOutcome.Starting, ext.Ports[0].Outcome); // the disk's link is still coming up: a poll is pending
        adapter.SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_POWER, PathId = 0, DevicePowerState = 3 });
        Assert.Equal(1, host.TimerActivity.Rows.Single(r => r.Callback == nameof(PortStart.P_Running_Callback)).Cancels); // cancelled at once
        engine.AdvanceBy(1_000 * Ms);
        Assert.Equal(PortOutcome.Stopped, ext.Ports[0].Outcome);
        adapter.SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_POWER, PathId = 0, DevicePowerState = 0 });
        engine.AdvanceBy(1_000 * Ms);
        Assert.Equal(PortOutcome.Running, ext.Ports[0].Outcome);
        Assert.Equal(1, host.TimerActivity.Rows.Single(r => r.Callback == nameof(PortStart.P_Running_Callback)).Cancels);
    }

    [Fact]
    public void RealClock_ShortRun_AllPortsStartWithNoBugCheck()
    {
        using var engine = new RealTimeTimerEngine();
        var result = StorahciRun.Execute(engine, new StorahciScenario { Adapters = 2, PortsPerAdapter = 2, DurationMilliseconds = 1_500 });
        Assert.True(result.Completed);
        Assert.Equal(4, result.PortsStarted);
        Assert.Empty(result.Host.BugChecks);
        Assert.All(result.Timers, t => Assert.Equal(0, t.Lateness.EarlyCount));
        Assert.Equal(result.Host.RequestActivity.Submitted, result.Host.RequestActivity.Completed);
    }

    /// <summary>A host with the storahci miniport and its adapters (device-model HBAs with the scenario's disks) created, but no workload: the test drives it.</summary>
    private static StorportHost StartOnly(VirtualTimerEngine engine, StorahciScenario scenario, out AhciAdapterExtension first) =>
        StartOnly(engine, scenario, out first, out _);

    private static StorportHost StartOnly(VirtualTimerEngine engine, StorahciScenario scenario, out AhciAdapterExtension first, out List<AhciHba> hbas)
    {
        var host = new StorportHost(engine);
        var map = new HostAddressMap();
        hbas = [];
        host.StorPortInitialize(StorahciMiniport.CreateInitializationData(scenario.LpmIntervalMilliseconds, () => engine.NowNanoseconds));
        for (var i = 0; i < scenario.Adapters; i++)
        {
            var hba = new AhciHba(engine, map, new AhciHbaOptions { PortCount = scenario.PortsPerAdapter });
            var disks = scenario.PortDisks(i);
            for (var p = 0; p < disks.Count; p++)
            {
                if (disks[p] is { } options)
                {
                    hba.Ports[p].Attach(new SataDisk(options));
                }
            }

            hbas.Add(hba);
            host.AddAdapter($"hba{i}", hba);
        }

        first = (AhciAdapterExtension)host.Adapters[0].DeviceExtension;
        return host;
    }
}
