using System.Text.Json;
using Json.Schema;
using MiniportTimers.Cli.Run;
using MiniportTimers.Tests.Native;

namespace MiniportTimers.Tests.Cli;

/// <summary>Issue 13: `run --json` follows the documented schema (docs/run-report.schema.json), checked with a JSON Schema validator.</summary>
public class RunReportSchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromFile(Path.Combine(NativeBuild.NativeFolder, "..", "docs", "run-report.schema.json"));

    private static readonly string[] LateFireParts = ["ClockTickMicroseconds", "WakeUpMicroseconds", "BehindCallbacksMicroseconds", "DispatchPathMicroseconds"];

    private static JsonElement Report(RunSettings settings)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mpt-json-").FullName, "report.json");
        RunCommand.Execute(settings with { JsonPath = path }, TextWriter.Null);
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();
    }

    private static string Errors(EvaluationResults results) =>
        string.Join("\n", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")));

    [Fact]
    public void AVirtualRunOfEverySample_MatchesTheSchema_WithTheNamedFieldsTheIssueAsksFor()
    {
        var json = Report(new RunSettings(true, 4, 4, 1, 70_000, "0:1", null));
        var results = Schema.Evaluate(json, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(results.IsValid, Errors(results));
        Assert.Equal(1, json.GetProperty("SchemaVersion").GetInt32());
        Assert.True(json.GetProperty("Machine").GetProperty("Cores").GetInt32() >= 1);
        var storahci = json.GetProperty("Samples").EnumerateArray().First(s => s.GetProperty("Name").GetString() == "storahci");
        Assert.Contains(storahci.GetProperty("Facts").EnumerateArray(), f => f.GetProperty("Name").GetString() == "ports_started");
        var timer = storahci.GetProperty("Timers")[0];
        Assert.True(timer.GetProperty("LatenessSamples").GetInt64() > 0);
        Assert.True(timer.GetProperty("LatenessP999Microseconds").GetDouble() >= timer.GetProperty("LatenessP90Microseconds").GetDouble());
    }

    [Support.LinuxFact]
    public void ARealClockRun_MeasuresTheOsFloorBesideItsTimers_AndMatchesTheSchema()
    {
        var json = Report(new RunSettings(false, 1, 1, 1, 1_000, null, null, Samples: ["pcnet", "e100bex"])); // e100bex: a callback within the second
        Assert.True(Schema.Evaluate(json, new EvaluationOptions { OutputFormat = OutputFormat.List }).IsValid);
        var floor = json.GetProperty("OsFloor");
        Assert.Equal(1000, floor.GetProperty("PeriodMicroseconds").GetInt32());
        Assert.InRange(floor.GetProperty("Samples").GetInt32(), 500, 1_100); // about one a millisecond for a second
        Assert.True(floor.GetProperty("P99Microseconds").GetDouble() >= floor.GetProperty("P50Microseconds").GetDouble());
        // Issue 27: how collections were held off, and what the longest callback's time went to.
        Assert.StartsWith("NoGCRegion", json.GetProperty("Collections").GetProperty("LatencyMode").GetString(), StringComparison.Ordinal);
        Assert.True(Enum.TryParse<MiniportTimers.Diagnostics.CallbackRunCause>(json.GetProperty("LongestCallback").GetProperty("Cause").GetString(), out _));
        // Issue 27 (attrib): at least the worst timer's worst fire, its parts adding up to its lateness (each rounded to 0.1 µs).
        var late = json.GetProperty("LateFires");
        Assert.True(late.GetArrayLength() >= 1);
        foreach (var fire in late.EnumerateArray())
        {
            var parts = LateFireParts.Sum(p => fire.GetProperty(p).GetDouble());
            Assert.InRange(fire.GetProperty("LatenessMicroseconds").GetDouble() - parts, -0.25, 0.25);
            if (fire.GetProperty("CpuWaitSinceDueMicroseconds") is { ValueKind: JsonValueKind.Number } cpuWait)
            {
                Assert.True(cpuWait.GetDouble() >= 0);
            }
        }

        var virtualRun = Report(new RunSettings(true, 1, 1, 1, 1_000, null, null, Samples: ["pcnet", "e100bex"]));
        Assert.Equal(JsonValueKind.Null, virtualRun.GetProperty("OsFloor").ValueKind);
        Assert.Equal(JsonValueKind.Null, virtualRun.GetProperty("Collections").ValueKind);
        Assert.Equal(JsonValueKind.Null, virtualRun.GetProperty("LongestCallback").GetProperty("Cause").ValueKind);
        Assert.Equal(JsonValueKind.Null, virtualRun.GetProperty("LateFires").ValueKind);
    }

    [Fact]
    public void TheSchema_RejectsWhatItForbids()
    {
        var json = Report(new RunSettings(true, 1, 1, 1, 1_000, null, null, Samples: ["pcnet"]));
        var broken = JsonDocument.Parse(json.GetRawText().Replace("\"SchemaVersion\": 1", "\"SchemaVersion\": 2", StringComparison.Ordinal)).RootElement;
        Assert.False(Schema.Evaluate(broken).IsValid);
    }
}

/// <summary>Issue 13: the trace leaves zero-length lock holds out unless asked (most of a virtual trace).</summary>
public class TraceLockSliceTests
{
    [Fact]
    public void ZeroLengthLockHolds_AreLeftOut_UnlessTraceAllLocks()
    {
        var folder = Directory.CreateTempSubdirectory("mpt-trace-").FullName;
        (int Events, int ZeroLocks) Trace(bool all)
        {
            var path = Path.Combine(folder, $"trace-{all}.json");
            RunCommand.Execute(new RunSettings(true, 2, 2, 1, 2_000, null, null, TracePath: path, TraceAllLocks: all), TextWriter.Null);
            var events = JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
            // A hold that took no time is an instant event with dur_us 0 among its arguments (issue 25).
            static bool TookNoTime(JsonElement e) => e.TryGetProperty("dur", out var d) ? d.GetDouble() == 0 : e.GetProperty("args").GetProperty("dur_us").GetDouble() == 0;
            return (events.Count, events.Count(e => e.TryGetProperty("cat", out var c) && c.GetString() == "lock" && TookNoTime(e)));
        }

        var lean = Trace(all: false);
        var full = Trace(all: true);
        Assert.Equal(0, lean.ZeroLocks);
        Assert.True(full.ZeroLocks > 0);
        Assert.Equal(full.Events - full.ZeroLocks, lean.Events);
    }
}
