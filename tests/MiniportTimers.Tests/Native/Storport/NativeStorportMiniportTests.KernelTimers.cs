using MiniportTimers.Diagnostics;

namespace MiniportTimers.Tests.Native.Storport;

/// <summary>Issue 26 §2: a C driver's KTIMER and EX_TIMER are on the one timer core: report rows named after the C functions, and trace events.</summary>
public sealed partial class NativeStorportMiniportTests
{
    [NativeFact]
    public void AKtimerFromC_HasAReportRowNamedAfterItsCDpcRoutine_AndTraceEvents()
    {
        var (host, driver, engine) = Start();
        host.Trace = new TraceRecorder();
        Submit(host, CmdKeTimer);
        engine.AdvanceBy(20 * Ms);
        Assert.Single(Lines(driver, "MptKeDpc"));
        var row = Assert.Single(host.Diagnostics.TimerActivity.Rows, r => r.Kind == "KTIMER");
        Assert.Equal(("MptKeDpc", 1L, 1L, 0L), (row.Callback, row.Arms, row.Fires, row.Lateness.MaxNanoseconds));
        Assert.Equal(host.Adapters[0].Name, row.LongestRunAdapter);
        Assert.Equal(["arm MptKeDpc", "MptKeDpc"], TraceNames(host.Trace, "KTIMER"));
    }

    [NativeFact]
    public void AnExTimerFromC_HasAReportRowNamedAfterItsCCallback_AndTraceEvents()
    {
        var (host, driver, engine) = Start();
        host.Trace = new TraceRecorder();
        Submit(host, CmdExTimer);
        engine.AdvanceBy(100 * Ms);
        Assert.Single(Lines(driver, "MptExCallback"));
        var row = Assert.Single(host.Diagnostics.TimerActivity.Rows, r => r.Kind == "EX_TIMER");
        Assert.Equal(("MptExCallback", 1L, 1L), (row.Callback, row.Arms, row.Fires));
        Assert.Equal(["arm MptExCallback", "MptExCallback"], TraceNames(host.Trace, "EX_TIMER"));
    }

    private static List<string> TraceNames(TraceRecorder recorder, string kind)
    {
        using var stream = new MemoryStream();
        recorder.WriteTo(stream);
        using var json = System.Text.Json.JsonDocument.Parse(stream.ToArray());
        return [.. json.RootElement.GetProperty("traceEvents").EnumerateArray()
            .Where(e => e.TryGetProperty("cat", out var cat) && cat.GetString() == kind)
            .Select(e => e.GetProperty("name").GetString()!)];
    }
}
