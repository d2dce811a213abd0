using MiniportTimers.Engine;

namespace MiniportTimers.Samples.Harness;

/// <summary>
/// Runs several samples side by side on one engine for a given time: a virtual engine is advanced to the end, a real
/// one is waited on; then each sample is finished (outside the dispatcher).
/// </summary>
public static class SampleRunner
{
    /// <summary>How long the end of a run waits for device starts still running on a PnP thread.</summary>
    private static readonly TimeSpan DeviceStartTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="samples"/> for <paramref name="durationMilliseconds"/> of engine time.</summary>
    /// <param name="engine">The engine: a virtual one is advanced to the end, a real one waited on.</param>
    /// <param name="samples">The samples, started in order and finished in order.</param>
    /// <param name="durationMilliseconds">The run's length, ms of engine time.</param>
    /// <param name="seed">The run's seed; each sample gets one derived from it.</param>
    /// <param name="stop">Ends a real-clock run early (Ctrl-C): the samples are finished all the same.</param>
    /// <returns>True when the run reached its end in time (a real run gets its duration plus 30 s); false when it did
    /// not, or was stopped.</returns>
    public static bool Run(TimerEngine engine, IReadOnlyList<ISampleRun> samples, long durationMilliseconds, int seed, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(samples);
        var duration = durationMilliseconds * TimeUnits.NanosecondsPerMillisecond;
        var origin = engine.NowNanoseconds;
        using var finished = new ManualResetEventSlim();
        var workloads = new Workload[samples.Count];
        for (var i = 0; i < samples.Count; i++)
        {
            workloads[i] = new Workload(engine, origin, Seeds.Derive(seed, i + 1));
            samples[i].Start(engine, workloads[i], duration);
        }

        new Workload(engine, origin, seed).At(duration, finished.Set);
        bool completed;
        if (engine is VirtualTimerEngine virtualEngine)
        {
            virtualEngine.AdvanceTo(origin + duration);
            completed = finished.IsSet;
        }
        else
        {
            completed = WaitHandle.WaitAny([finished.WaitHandle, stop.WaitHandle], TimeSpan.FromMilliseconds(durationMilliseconds + 30_000)) == 0;
        }

        // A device start still running on its PnP thread (a real engine) returns before its sample is finished.
        foreach (var workload in workloads)
        {
            completed &= workload.WaitForDeviceStarts(DeviceStartTimeout);
        }

        foreach (var sample in samples)
        {
            sample.Finish();
        }

        return completed;
    }
}
