using MiniportTimers.Engine;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Storahci;

/// <summary>
/// Runs the storahci sample on a <see cref="StorportHost"/>: creates the adapters (their ports start one after another
/// through StartPortTimer), then plays a seeded workload as the rest of the system would: I/O through StartIo, idle and
/// active unit transitions (LPM), hot-plug events (bus change), a port power cycle, a port reset, and finally removal.
/// Every event of the workload is itself an engine timer, so the same run works on the virtual and the real clock, and
/// on the virtual clock the same seed always gives the same result.
/// </summary>
public static class StorahciRun
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    /// <summary>Runs <paramref name="scenario"/> on <paramref name="engine"/>.</summary>
    /// <param name="engine">A virtual engine (advanced here until the end) or a real one (waited on).</param>
    /// <param name="scenario">What to run.</param>
    /// <param name="options">Host options.</param>
    /// <returns>The result; <see cref="StorahciResult.Completed"/> is false when a real run did not finish within its duration plus 30 s.</returns>
    public static StorahciResult Execute(TimerEngine engine, StorahciScenario scenario, StorportHostOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentOutOfRangeException.ThrowIfLessThan(scenario.Adapters, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scenario.PortsPerAdapter, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scenario.PortsPerAdapter, 32);
        ArgumentOutOfRangeException.ThrowIfLessThan(scenario.DurationMilliseconds, 100);

        var host = new StorportHost(engine, options);
        var hbas = Enumerable.Range(0, scenario.Adapters).Select(i => new AhciHba(i, engine, scenario.PortProfiles(i))).ToList();
        var nextHba = new Queue<AhciHba>(hbas);
        host.StorPortInitialize(StorahciMiniport.CreateInitializationData(nextHba.Dequeue, scenario.LpmIntervalMilliseconds));

        var origin = engine.NowNanoseconds;
        var duration = scenario.DurationMilliseconds * Ms;
        var workload = new Workload(engine, origin, new Random(scenario.Seed));
        using var finished = new ManualResetEventSlim();

        for (var a = 0; a < scenario.Adapters; a++)
        {
            var hba = hbas[a];
            workload.At(0, () => CreateAdapter(host, hba));
            ScheduleAdapterWorkload(workload, host, a, hba, scenario, duration);
        }

        workload.At(duration, () =>
        {
            foreach (var adapter in host.Adapters)
            {
                adapter.Remove();
            }

            finished.Set();
        });

        bool completed;
        if (engine is VirtualTimerEngine virtualEngine)
        {
            virtualEngine.AdvanceTo(origin + duration + Ms);
            completed = finished.IsSet;
        }
        else
        {
            completed = finished.Wait(TimeSpan.FromMilliseconds(scenario.DurationMilliseconds + 30_000));
        }

        var extensions = host.Adapters.Select(a => (AhciAdapterExtension)a.DeviceExtension).ToList();
        var ports = extensions.SelectMany(e => e.Ports.Select(p => new PortReport(
            e.Hba.Index,
            p.PortNumber,
            p.Outcome,
            (p.FinishedAttemptAtNanoseconds - p.StartedAttemptAtNanoseconds) / (double)Ms,
            (p.FinishedAttemptAtNanoseconds - origin) / (double)Ms))).ToList();
        return new StorahciResult(host, ports, StorahciTotals.Sum(extensions.Select(e => e.Counters)), completed);
    }

    private static void CreateAdapter(StorportHost host, AhciHba hba)
    {
        var adapter = host.AddAdapter($"hba{hba.Index}");
        foreach (var device in hba.Ports)
        {
            device.Adapter = adapter;
        }

        // Early I/O: a TEST UNIT READY per port arrives while the ports start; it waits in the driver and is
        // completed from the start timer's callback (ActivateQueue) or failed from it.
        for (var p = 0; p < hba.Ports.Count; p++)
        {
            adapter.SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_EXECUTE_SCSI, PathId = (byte)p, CdbOperationCode = Io.TestUnitReady, Tag = p });
        }
    }

    private static void ScheduleAdapterWorkload(Workload w, StorportHost host, int a, AhciHba hba, StorahciScenario scenario, long duration)
    {
        StorportAdapter Adapter() => host.Adapters[a];
        var ports = hba.Ports.Count;
        var ioEnd = duration * 8 / 10;
        var idle = new bool[ports];

        // I/O: READ(10) to a random active port (an idle port is left alone, so its LPM timer can run out).
        long tag = 1000;
        w.Every(scenario.IoIntervalMicroseconds * TimeUnits.NanosecondsPerMicrosecond, 0, ioEnd, rng =>
        {
            var p = rng.Next(ports);
            if (!idle[p])
            {
                Adapter().SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_EXECUTE_SCSI, PathId = (byte)p, CdbOperationCode = Io.Read10, DataTransferLength = 4096, Tag = tag++ });
            }
        });

        // LPM: every 150 ms an active port goes idle and becomes active again after 50-250 ms (inside the 100 ms
        // interval: a cancel; past it: the slumber callback runs). One wake in three goes idle again at once (idle,
        // active, idle inside the interval: the second request must succeed after the cancel).
        void PowerActive(int p, bool active) =>
            Adapter().UnitControl(SCSI_UNIT_CONTROL_TYPE.ScsiUnitPoFxPowerActive, new STOR_POFX_ACTIVE_CONTEXT((byte)p, 0, 0, active));

        void GoIdle(int p, Random rng)
        {
            idle[p] = true;
            PowerActive(p, active: false);
            w.After(rng.Next(50, 250) * Ms, () =>
            {
                PowerActive(p, active: true);
                idle[p] = false;
                if (rng.Next(3) == 0)
                {
                    GoIdle(p, rng);
                }
            });
        }

        w.Every(150 * Ms, 100 * Ms, ioEnd, rng =>
        {
            var p = rng.Next(ports);
            if (!idle[p])
            {
                GoIdle(p, rng); // Storport reports transitions only: an idle unit does not go idle again
            }
        });

        // Bus change: two hot-plug events 30 ms apart; the second notification is refused while the first is
        // processed, so the driver retries through its 100 ms BusChangeTimer.
        var hotPort = hba.Ports[Math.Min(1, ports - 1)];
        w.At(duration * 4 / 10, hotPort.SignalHotPlug);
        w.At((duration * 4 / 10) + (30 * Ms), hotPort.SignalHotPlug);

        // Power cycle: D3 cancels the start timer (storahci power-down), D0 starts the port again 50 ms later.
        var cycled = (byte)Math.Min(2, ports - 1);
        w.At(duration * 6 / 10, () => Adapter().SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_POWER, PathId = cycled, DevicePowerState = 3 }));
        w.At((duration * 6 / 10) + (50 * Ms), () => Adapter().SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_POWER, PathId = cycled, DevicePowerState = 0 }));

        // Port reset: a direct start again while a previous start timer may still be pending.
        var reset = (byte)Math.Min(3, ports - 1);
        w.At(duration / 2, () => Adapter().SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_RESET_BUS, PathId = reset }));
    }

    /// <summary>The harness's own events: engine timers at fixed offsets from the run's origin. One random source, used on the dispatching thread only.</summary>
    private sealed class Workload(TimerEngine engine, long origin, Random rng)
    {
        public void At(long offsetNanoseconds, Action action) =>
            engine.Arm(engine.CreateTimer(static (t, in _) => ((Action)t.State!)(), action), origin + offsetNanoseconds);

        public void After(long delayNanoseconds, Action action) =>
            engine.ArmAfter(engine.CreateTimer(static (t, in _) => ((Action)t.State!)(), action), delayNanoseconds);

        public void Every(long periodNanoseconds, long startNanoseconds, long endNanoseconds, Action<Random> action)
        {
            var timer = engine.CreateTimer((t, in f) =>
            {
                if (f.DueNanoseconds - origin > endNanoseconds)
                {
                    t.Engine.Cancel(t);
                    return;
                }

                action(rng);
            });
            engine.Arm(timer, origin + startNanoseconds + periodNanoseconds, 0, periodNanoseconds);
        }
    }
}
