using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;
using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Diagnostics;

/// <summary>The Meter and the EventSource "MiniportTimers", read the way dotnet-counters reads them.</summary>
public class TelemetryTests
{
    private static void Nop(object ext, object? ctx)
    {
    }

    /// <summary>Arms, a BUSY return, a fire with 0 lateness and a bug check, on a virtual clock.</summary>
    private static StorportTestBed Exercise()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        StorPortRequestTimer(bed.Ext, t, Nop, null, 100, 0);
        Assert.Equal(STOR_STATUS_BUSY, StorPortRequestTimer(bed.Ext, t, Nop, null, 100, 0));
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (_, _) => throw new InvalidOperationException("bug"), null, 200, 0);
        bed.AdvanceMicroseconds(1_000);
        return bed;
    }

    [Fact]
    public void Meter_MiniportTimers_PublishesEngineAndHostFigures()
    {
        var longs = new ConcurrentDictionary<string, long>();
        var lateness = new ConcurrentBag<(double Value, string? Kind)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MiniportTimersTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => longs.AddOrUpdate(instrument.Name, value, (_, old) => instrument is ObservableInstrument<long> ? value : old + value));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            string? kind = null;
            foreach (var tag in tags)
            {
                kind = tag.Key == "kind" ? tag.Value as string : kind;
            }

            lateness.Add((value, kind));
        });
        listener.Start();

        Exercise();
        listener.RecordObservableInstruments();

        foreach (var name in new[] { "miniport_timers.timers.pending", "miniport_timers.timers.arms", "miniport_timers.timers.fires", "miniport_timers.timers.cancels", "miniport_timers.timers.coalesced_fires", "miniport_timers.engine.wakeups" })
        {
            Assert.True(longs.ContainsKey(name), name);
        }

        Assert.True(longs["miniport_timers.timers.arms"] >= 2);
        Assert.True(longs["miniport_timers.timers.fires"] >= 2);
        Assert.True(longs.GetValueOrDefault("miniport_timers.storport.busy_returns") >= 1);
        Assert.True(longs.GetValueOrDefault("miniport_timers.bug_checks") >= 1);
        Assert.Contains(lateness, l => l.Kind == "StorPortRequestTimer" && l.Value == 0);
    }

    [Fact]
    public void EventSource_MiniportTimers_PublishesEventCounters()
    {
        using var listener = new CounterListener();
        var beds = new List<StorportTestBed> { Exercise() }; // kept alive: the totals count live engines and hosts
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string[] wanted = ["timers-pending", "arms", "fires", "cancels", "coalesced-fires", "wakeups", "busy-returns", "bug-checks", "arm-rate", "fire-rate", "lateness-us"];
        bool Done() => wanted.All(listener.Seen.ContainsKey) && listener.Seen["arms"] >= 2 && listener.Seen["bug-checks"] >= 1;
        while (DateTime.UtcNow < deadline && !Done())
        {
            beds.Add(Exercise()); // keep lateness-us fed: an EventCounter reports only intervals with samples
            Thread.Sleep(50);
        }

        GC.KeepAlive(beds);

        Assert.All(wanted, name => Assert.True(listener.Seen.ContainsKey(name), name));
        Assert.True(listener.Seen["arms"] >= 2);
        Assert.True(listener.Seen["bug-checks"] >= 1);
    }

    [Fact]
    public void ProcessTotals_NeverGoDown_WhenAnEngineIsCollected()
    {
        static void ArmOnAFreshEngine()
        {
            var engine = new VirtualTimerEngine();
            for (var i = 0; i < 100; i++)
            {
                engine.Arm(engine.CreateTimer((_, in _) => { }), 10);
            }

            engine.AdvanceBy(100);
        }

        ArmOnAFreshEngine();
        var before = EngineRegistry.Totals(); // records the fresh engine's counts
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var after = EngineRegistry.Totals();
        Assert.True(after.Arms >= before.Arms, $"arms went from {before.Arms} to {after.Arms}");
        Assert.True(after.Fires >= before.Fires, $"fires went from {before.Fires} to {after.Fires}");
        Assert.True(before.Arms >= 100);
    }

    /// <summary>
    /// Issue 25: a fresh process showed 8 arms, 105 fires and 2 cancels before the user armed anything: the dispatch
    /// warm-up's private engine was in the registry the Meter and the EventSource add up. It does its work outside it.
    /// </summary>
    [Fact]
    public void DispatchWarmUp_RunsOnAnEngineTheProcessWideCountersNeverSee()
    {
        using var engine = DispatchWarmUp.CreatePrivateEngine();
        DispatchWarmUp.Exercise(engine);
        var s = engine.Statistics;
        Assert.True(s.Arms >= 8 && s.Fires > 0 && s.Cancels >= 2, $"the warm-up did its work: {s}");
        Assert.DoesNotContain(engine, EngineRegistry.Live());
    }

    [Fact]
    public void Engine_TolerantTimerRidingAlong_CountsAsCoalesced()
    {
        var engine = new VirtualTimerEngine();
        engine.Arm(engine.CreateTimer((_, in _) => { }), 10, toleranceNanoseconds: 100);
        engine.Arm(engine.CreateTimer((_, in _) => { }), 50);
        engine.AdvanceBy(1_000);
        var s = engine.Statistics;
        Assert.Equal((1L, 2L, 1L), (s.WakeUps, s.Fires, s.CoalescedFires));
    }

    private sealed class CounterListener : EventListener
    {
        public ConcurrentDictionary<string, double> Seen { get; } = new();

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == MiniportTimersTelemetry.Name)
            {
                EnableEvents(eventSource, EventLevel.Verbose, EventKeywords.All, new Dictionary<string, string?> { ["EventCounterIntervalSec"] = "0.1" });
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            if (eventData.EventName != "EventCounters" || eventData.Payload is not { Count: > 0 } payload || payload[0] is not IDictionary<string, object> counter)
            {
                return;
            }

            var name = (string)counter["Name"];
            var value = counter.TryGetValue("Mean", out var mean) ? Convert.ToDouble(mean, System.Globalization.CultureInfo.InvariantCulture) : Convert.ToDouble(counter["Increment"], System.Globalization.CultureInfo.InvariantCulture);
            if (counter.TryGetValue("Count", out var count) && Convert.ToInt64(count, System.Globalization.CultureInfo.InvariantCulture) == 0 && name == "lateness-us")
            {
                return;
            }

            Seen.AddOrUpdate(name, value, (_, old) => Math.Max(old, value)); // the largest value any interval reported
        }
    }
}
