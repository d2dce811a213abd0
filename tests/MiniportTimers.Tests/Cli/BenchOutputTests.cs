using MiniportTimers.Cli.Bench;

namespace MiniportTimers.Tests.Cli;

/// <summary>
/// Issue 13: bench's lateness figures come from HdrHistogram (constant memory, fast percentiles), written as .hgrm files
/// HdrHistogram's plotters read, a tidy CSV (one row per part, approach, interval and condition; one column per figure)
/// and a percentile-spectrum plot in PNG and SVG.
/// </summary>
public class BenchOutputTests
{
    [Fact]
    public void LatenessHistogram_GivesPercentilesWithinATenthOfAPercent_TheExactMax_AndCountsEarlyFires()
    {
        var samples = Enumerable.Range(1, 1000).Select(i => (double)i).Append(-3.5).ToList(); // 1..1000 µs and one early
        var h = new LatenessHistogram(samples);
        Assert.Equal((1001, 1, 1000.0), (h.Count, h.Early, h.Max));
        Assert.InRange(h.At(50), 499 * 0.999, 500 * 1.001);
        Assert.InRange(h.At(99), 989 * 0.999, 990 * 1.001);
        Assert.Equal(1000.0, h.At(100), 1);
        var spectrum = h.Spectrum();
        Assert.True(spectrum.Count > 20);
        Assert.True(spectrum.Zip(spectrum.Skip(1)).All(p => p.First.Percentile <= p.Second.Percentile && p.First.Microseconds <= p.Second.Microseconds));
        using var hgrm = new StringWriter();
        h.WriteHgrm(hgrm);
        Assert.StartsWith("Value", hgrm.ToString().TrimStart(), StringComparison.Ordinal);
        Assert.Contains("#[Max     =", hgrm.ToString(), StringComparison.Ordinal);
        Assert.True(double.IsNaN(new LatenessHistogram([]).At(50)));
    }

    [Fact]
    public void QuickIssue15Parts_EachWriteTheirRows()
    {
        var folder = Directory.CreateTempSubdirectory("mpt-bench-").FullName;
        using var output = new StringWriter();
        Assert.Equal(0, BenchCommand.Execute(quick: true, folder, output, only: ["cpus", "churn", "first", "floor"]));
        var rows = File.ReadAllLines(Path.Combine(folder, "bench.csv")).Skip(1).Select(Fields).ToList();
        var parts = rows.Select(r => r[0]).ToHashSet();
        Assert.Contains("cpus", parts);
        Assert.Contains("churn", parts);
        Assert.Contains("first", parts);
        Assert.Equal(OperatingSystem.IsLinux(), parts.Contains("floor")); // the floor is a Linux timerfd
        Assert.Contains(rows, r => r[0] == "cpus" && r.Any(f => f.Contains("callback blocks 200 ms", StringComparison.Ordinal)));
    }

    [Fact]
    public void QuickLatenessBench_WritesATidyCsv_HgrmFiles_AndThePlotAsPngAndSvg()
    {
        var folder = Directory.CreateTempSubdirectory("mpt-bench-").FullName;
        using var output = new StringWriter();
        Assert.Equal(0, BenchCommand.Execute(quick: true, folder, output, only: ["lateness"]));

        var csv = File.ReadAllLines(Path.Combine(folder, "bench.csv")).Select(Fields).ToList();
        var header = csv[0];
        Assert.Equal(["part", "approach", "interval_us", "condition", "samples", "p50_us", "p90_us", "p99_us", "p99_9_us", "max_us", "early_fires", "cpu_percent_of_core", "value", "unit", "note"], header);
        var ours1ms = csv.Single(r => r[0] == "lateness" && r[1] == "ours" && r[2] == "1000" && r[3] == "idle");
        Assert.True(double.Parse(ours1ms[5], System.Globalization.CultureInfo.InvariantCulture) >= 0); // p50 µs, a number
        Assert.All(csv.Skip(1), r => Assert.Equal(header.Count, r.Count));
        Assert.Contains(csv, r => r[1] == "ours" && r[3] == "10,000 pending"); // a quoted field keeps its comma

        Assert.Contains("lateness-1000us-ours.hgrm", Directory.GetFiles(folder).Select(Path.GetFileName));
        var png = File.ReadAllBytes(Path.Combine(folder, "bench-lateness.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(folder, "bench-lateness.svg")), StringComparison.Ordinal);
    }

    /// <summary>The fields of one CSV line (RFC 4180 quoting).</summary>
    private static List<string> Fields(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
