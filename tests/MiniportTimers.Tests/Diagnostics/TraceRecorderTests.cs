using System.Text.Json;
using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Samples.Storahci;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Diagnostics;

/// <summary>The Chrome trace event file: its structure, and a known sequence of events.</summary>
public class TraceRecorderTests
{
    private static JsonElement[] Events(TraceRecorder recorder)
    {
        using var stream = new MemoryStream();
        recorder.WriteTo(stream);
        using var doc = JsonDocument.Parse(stream.ToArray());
        return [.. doc.RootElement.GetProperty("traceEvents").EnumerateArray().Select(e => e.Clone())];
    }

    [Fact]
    public void StorportTimer_ArmLockHoldCallbackCancelAndBugCheck_AppearInOrderOnTheAdaptersTrack()
    {
        var bed = new StorportTestBed();
        var recorder = new TraceRecorder();
        bed.Host.Trace = recorder;
        var t = bed.NewTimer();
        StorPortRequestTimer(bed.Ext, t, P_Timer, null, 10_000, 0);  // arm at 0
        bed.AdvanceMicroseconds(10_000);                             // callback at 10 ms, under the StartIo lock
        StorPortRequestTimer(bed.Ext, t, P_Timer, null, 5_000, 0);   // arm at 10 ms
        StorPortRequestTimer(bed.Ext, t, P_Timer, null, 0, 0);       // cancel at 10 ms
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (_, _) => throw new InvalidOperationException("x"), null, 1, 0);
        bed.AdvanceMicroseconds(10);

        var events = Events(recorder);
        Assert.All(events, e =>
        {
            Assert.True(e.TryGetProperty("name", out _));
            Assert.True(e.TryGetProperty("ph", out _));
            Assert.True(e.TryGetProperty("pid", out _));
            Assert.True(e.TryGetProperty("tid", out _));
        });
        var track = events.Single(e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("name").GetString() == "thread_name" && e.GetProperty("args").GetProperty("name").GetString() == bed.Adapter.Name).GetProperty("tid").GetInt32();
        var onTrack = events.Where(e => e.GetProperty("ph").GetString() != "M" && e.GetProperty("pid").GetInt32() == 1 && e.GetProperty("tid").GetInt32() == track).ToList();
        var sequence = onTrack.Select(e => (e.GetProperty("name").GetString(), e.GetProperty("ph").GetString(), e.GetProperty("ts").GetDouble())).ToList();
        var timerEvents = sequence.Where(s => s.Item1!.Contains(nameof(P_Timer), StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [("arm P_Timer", "i", 0.0), ("P_Timer", "i", 10_000.0), ("arm P_Timer", "i", 10_000.0), ("cancel P_Timer", "i", 10_000.0)],
            timerEvents); // the callback took no virtual time: an instant (issue 25)
        Assert.Contains(sequence, s => s.Item1 == "StartIo lock (TimerCallback)" && s.Item2 == "i" && s.Item3 == 10_000.0);
        Assert.Contains(sequence, s => s.Item1!.StartsWith("BUGCHECK KMODE_EXCEPTION_NOT_HANDLED", StringComparison.Ordinal));
        var callback = onTrack.Single(e => e.GetProperty("name").GetString() == nameof(P_Timer));
        Assert.Equal(0.0, callback.GetProperty("args").GetProperty("lateness_us").GetDouble());
        Assert.Equal(Environment.CurrentManagedThreadId, callback.GetProperty("args").GetProperty("dispatch_thread").GetInt32()); // the dispatcher view
    }

    /// <summary>Issue 25: each callback was recorded twice, on its adapter's track and on the dispatcher's.</summary>
    [Fact]
    public void EachCallback_IsOneEvent_OnItsAdaptersTrack_WithItsDispatchThreadDueTimeAndLatenessAsArguments()
    {
        var bed = new StorportTestBed();
        var recorder = new TraceRecorder();
        bed.Host.Trace = recorder;
        var t = bed.NewTimer();
        for (var i = 0; i < 3; i++)
        {
            StorPortRequestTimer(bed.Ext, t, P_Timer, null, 1_000, 0);
            bed.AdvanceMicroseconds(1_000);
        }

        var events = Events(recorder);
        var callbacks = events.Where(e => e.GetProperty("name").GetString()!.EndsWith(nameof(P_Timer), StringComparison.Ordinal)
            && !e.GetProperty("name").GetString()!.StartsWith("arm ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, callbacks.Count); // before: 6 ("P_Timer" and "adapter0: P_Timer")
        Assert.All(callbacks, e =>
        {
            Assert.Equal(1, e.GetProperty("pid").GetInt32());
            var args = e.GetProperty("args");
            Assert.Equal(0.0, args.GetProperty("lateness_us").GetDouble());
            Assert.True(args.GetProperty("dispatch_thread").GetInt32() > 0);
        });
        Assert.Equal([1_000.0, 2_000.0, 3_000.0], callbacks.Select(e => e.GetProperty("args").GetProperty("due_us").GetDouble()));
        Assert.DoesNotContain(events, e => e.GetProperty("pid").GetInt32() != 1); // no second process of copies
    }

    /// <summary>
    /// Issue 25: on the virtual clock almost every callback lasted 0 µs, which Perfetto draws as nothing. One that took no
    /// time is an instant with its arguments (and dur_us 0); one that took time stays a slice.
    /// </summary>
    [Fact]
    public void VirtualClock_ACallbackThatTookNoTime_IsAnInstantWithItsArguments_OneThatTookTime_IsASlice()
    {
        var bed = new StorportTestBed();
        var recorder = new TraceRecorder();
        bed.Host.Trace = recorder;
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), P_Timer, null, 1_000, 0);
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), P_Stalls, null, 2_000, 0);
        bed.AdvanceMicroseconds(5_000);

        var events = Events(recorder);
        Assert.DoesNotContain(events, e => e.GetProperty("ph").GetString() == "X" && e.GetProperty("dur").GetDouble() == 0);
        var instant = events.Single(e => e.GetProperty("name").GetString() == nameof(P_Timer));
        Assert.Equal(("i", "t", 1_000.0), (instant.GetProperty("ph").GetString(), instant.GetProperty("s").GetString(), instant.GetProperty("ts").GetDouble()));
        Assert.Equal(0.0, instant.GetProperty("args").GetProperty("dur_us").GetDouble());
        Assert.Equal(1_000.0, instant.GetProperty("args").GetProperty("due_us").GetDouble());
        var slice = events.Single(e => e.GetProperty("name").GetString() == nameof(P_Stalls));
        Assert.Equal(("X", 2_000.0, 50.0), (slice.GetProperty("ph").GetString(), slice.GetProperty("ts").GetDouble(), slice.GetProperty("dur").GetDouble()));
    }

    [Fact]
    public void SampleRunOnTheVirtualClock_HasNoZeroLengthSlices_ItsCallbacksAreInstantsWithArguments()
    {
        var recorder = new TraceRecorder();
        var run = new StorahciRun(new StorahciScenario { Adapters = 1, PortsPerAdapter = 2, DurationMilliseconds = 300 }) { Trace = recorder };
        Assert.True(SampleRunner.Run(new VirtualTimerEngine(), [run], 300, seed: 1));
        var events = Events(recorder);
        Assert.DoesNotContain(events, e => e.GetProperty("ph").GetString() == "X" && e.GetProperty("dur").GetDouble() == 0);
        var callbacks = events.Where(e => e.TryGetProperty("args", out var args) && args.TryGetProperty("dispatch_thread", out _)).ToList();
        Assert.Contains(callbacks, e => e.GetProperty("name").GetString() == "P_Running_Callback" && e.GetProperty("ph").GetString() == "i");
        Assert.All(callbacks, e => Assert.True(e.GetProperty("args").TryGetProperty("lateness_us", out _)));
    }

    private static void P_Timer(object ext, object? ctx)
    {
    }

    private static void P_Stalls(object ext, object? ctx) => StorPortStallExecution(50);
}
