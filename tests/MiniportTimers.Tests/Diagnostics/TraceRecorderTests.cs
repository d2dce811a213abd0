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
            [("arm P_Timer", "i", 0.0), ("P_Timer", "X", 10_000.0), ("arm P_Timer", "i", 10_000.0), ("cancel P_Timer", "i", 10_000.0)],
            timerEvents);
        Assert.Contains(sequence, s => s.Item1 == "StartIo lock (TimerCallback)" && s.Item2 == "X" && s.Item3 == 10_000.0);
        Assert.Contains(sequence, s => s.Item1!.StartsWith("BUGCHECK KMODE_EXCEPTION_NOT_HANDLED", StringComparison.Ordinal));
        var callback = onTrack.Single(e => e.GetProperty("name").GetString() == nameof(P_Timer));
        Assert.Equal(0.0, callback.GetProperty("args").GetProperty("lateness_us").GetDouble());
        Assert.Contains(events, e => e.GetProperty("pid").GetInt32() == 2 && e.GetProperty("ph").GetString() == "X"); // dispatcher track
    }

    [Fact]
    public void SampleRun_WithARecorder_TracesEveryHostIntoOneValidFile()
    {
        var recorder = new TraceRecorder();
        var run = new StorahciRun(new StorahciScenario { Adapters = 1, PortsPerAdapter = 2, DurationMilliseconds = 300 }) { Trace = recorder };
        var ndis = new MiniportTimers.Samples.Netvmini.NetvminiRun(1) { Trace = recorder };
        Assert.True(SampleRunner.Run(new VirtualTimerEngine(), [run, ndis], 300, seed: 1));
        var path = Path.Combine(Path.GetTempPath(), $"trace-{Guid.NewGuid():N}.json");
        try
        {
            recorder.WriteTo(path);
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var names = doc.RootElement.GetProperty("traceEvents").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToHashSet();
            Assert.Contains("P_Running_Callback", names);
            Assert.Contains("SendCompleteTimerDpc", names);
            Assert.Contains("arm AsyncBusyCheckTimerDpc", names);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void P_Timer(object ext, object? ctx)
    {
    }
}
