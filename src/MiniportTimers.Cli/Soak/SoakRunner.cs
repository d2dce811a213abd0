using System.Globalization;
using System.Text;

namespace MiniportTimers.Cli.Soak;

/// <summary>One soak: units of work (a load/run/halt/unload cycle, an adapter added and removed, a timer allocated and freed) with checkpoints.</summary>
internal interface ISoakWorkload
{
    /// <summary>What one unit is, singular ("cycle", "adapter", "freed timer").</summary>
    string Unit { get; }

    /// <summary>What the soak does, for the heading.</summary>
    string Description { get; }

    /// <summary>Bug checks and broken expectations so far (a soak that fails is not a measurement).</summary>
    IReadOnlyList<string> Failures { get; }

    /// <summary>
    /// Runs unit <paramref name="index"/> (0-based). With <paramref name="sample"/>, keeps a weak reference to the objects
    /// the unit released, so that the next checkpoint can count those still alive.
    /// </summary>
    void RunUnit(long index, bool sample);

    /// <summary>What the workload counts at a checkpoint (taken after the full collections), in a fixed order.</summary>
    IReadOnlyList<KeyValuePair<string, long>> Counts();

    /// <summary>The driver debug output the workload's live drivers keep, estimated in managed bytes (<see cref="DebugOutputMeter"/>).</summary>
    long DebugOutputBytes();

    /// <summary>Counts that must not grow from the middle checkpoint to the last (objects sampled and still alive, a driver's own maps).</summary>
    IReadOnlyCollection<string> FlatCounts { get; }

    /// <summary>
    /// Bridge maps not judged by count: keyed by addresses in the C driver's own pool memory, whose frees the bridge does
    /// not see (docs/reliability.md); their growth is reported, and their bytes are in the managed figure that is judged.
    /// </summary>
    IReadOnlyCollection<string> AddressKeyedMaps { get; }
}

/// <summary>
/// Runs a soak with a checkpoint at every tenth of its units (and before the first), prints a table of them, the growth
/// per unit over the second half (the first half warms up JIT, pools and the handle tables' slots), and the verdict.
/// </summary>
internal static class SoakRunner
{
    /// <summary>Below this many units in the second half, bytes per unit are noise (a smoke run): only the counts are judged.</summary>
    public const long MinimumJudgedUnits = 50;

    /// <summary>Runs <paramref name="workload"/> for <paramref name="units"/> units; true when it stayed flat.</summary>
    /// <param name="workload">The soak.</param>
    /// <param name="units">Units of work.</param>
    /// <param name="maxBytesPerUnit">The most managed bytes one unit may leave behind over the second half (the driver's kept debug output excluded).</param>
    /// <param name="output">Where the table goes.</param>
    public static bool Run(ISoakWorkload workload, long units, long maxBytesPerUnit, TextWriter output)
    {
        var at = Enumerable.Range(0, 11).Select(k => units * k / 10).Distinct().ToArray();
        var mid = units / 2;
        if (!at.Contains(mid))
        {
            at = [.. at.Append(mid).Order()];
        }

        output.WriteLine($"soak: {workload.Description}");
        var checkpoints = new List<SoakCheckpoint>();
        var next = 0;
        for (long i = 0; i <= units; i++)
        {
            if (next < at.Length && at[next] == i)
            {
                var checkpoint = SoakMeter.Read(i, workload.DebugOutputBytes, workload.Counts);
                checkpoints.Add(checkpoint);
                next++;
                if (checkpoints.Count == 1)
                {
                    PrintHeader(checkpoint, workload, output);
                }

                PrintRow(checkpoint, output);
            }

            if (i < units)
            {
                workload.RunUnit(i, sample: next < at.Length && at[next] == i + 1);
            }
        }

        return Judge(workload, checkpoints.Single(c => c.Units == mid), checkpoints[0], checkpoints[^1], maxBytesPerUnit, output);
    }

    private static void PrintHeader(SoakCheckpoint first, ISoakWorkload workload, TextWriter output)
    {
        var header = new StringBuilder($"| {workload.Unit}s | managed KiB | managed w/o debug output KiB | GC heap KiB | committed KiB | RSS KiB | bridge entries |");
        foreach (var (name, _) in first.Counts)
        {
            header.Append(CultureInfo.InvariantCulture, $" {name} |");
        }

        output.WriteLine(header);
        output.WriteLine(string.Concat(Enumerable.Repeat("|---", 7 + first.Counts.Count)) + "|");
    }

    private static void PrintRow(SoakCheckpoint c, TextWriter output)
    {
        var row = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"| {c.Units:N0} | {Kib(c.ManagedBytes)} | {Kib(c.ManagedWithoutDebugOutput)} | {Kib(c.GcHeapBytes)} | {Kib(c.CommittedBytes)} | {Kib(c.RssBytes)} | {c.TotalBridgeEntries:N0} |"));
        foreach (var (_, value) in c.Counts)
        {
            row.Append(CultureInfo.InvariantCulture, $" {value:N0} |");
        }

        output.WriteLine(row);
        output.Flush();
    }

    private static bool Judge(ISoakWorkload workload, SoakCheckpoint mid, SoakCheckpoint first, SoakCheckpoint last, long maxBytesPerUnit, TextWriter output)
    {
        var span = last.Units - mid.Units;
        string PerUnit(long from, long to) => span == 0 ? "n/a" : ((double)(to - from) / span).ToString("+#,0.0;-#,0.0;0", CultureInfo.InvariantCulture);
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"growth per {workload.Unit} over the second half ({mid.Units:N0} to {last.Units:N0}), bytes: managed {PerUnit(mid.ManagedBytes, last.ManagedBytes)}, managed without the drivers' debug output {PerUnit(mid.ManagedWithoutDebugOutput, last.ManagedWithoutDebugOutput)}, GC heap {PerUnit(mid.GcHeapBytes, last.GcHeapBytes)}, RSS {PerUnit(mid.RssBytes, last.RssBytes)}"));

        output.WriteLine($"bridge maps (live entries at the start, the middle, the end; maps empty throughout left out{(workload.AddressKeyedMaps.Count > 0 ? $"; keyed by the C driver's pool addresses, not judged by count: {string.Join(", ", workload.AddressKeyedMaps)}" : string.Empty)}):");
        foreach (var ((name, start), (_, middle), (_, end)) in first.BridgeEntries.Zip(mid.BridgeEntries, last.BridgeEntries))
        {
            if (start != 0 || middle != 0 || end != 0)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: {start:N0}, {middle:N0}, {end:N0}"));
            }
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"handle table slots at the end (the peak live count): {string.Join(", ", last.HandleSlots.Where(s => s.Value > 0).Select(s => $"{s.Key} {s.Value:N0}"))}"));

        var problems = new List<string>();
        problems.AddRange(workload.Failures.Take(10));
        if (workload.Failures.Count > 10)
        {
            problems.Add($"... and {workload.Failures.Count - 10} more failures");
        }

        foreach (var ((name, middle), (_, end)) in mid.BridgeEntries.Zip(last.BridgeEntries))
        {
            if (end > middle && !workload.AddressKeyedMaps.Contains(name))
            {
                problems.Add($"the bridge's {name} grew from {middle:N0} to {end:N0} entries over the second half");
            }
        }

        foreach (var ((name, middle), (_, end)) in mid.Counts.Zip(last.Counts))
        {
            if (workload.FlatCounts.Contains(name) && end > middle)
            {
                problems.Add($"{name} grew from {middle:N0} to {end:N0} over the second half");
            }
        }

        var judged = span >= MinimumJudgedUnits;
        var perUnit = span == 0 ? 0 : (double)(last.ManagedWithoutDebugOutput - mid.ManagedWithoutDebugOutput) / span;
        if (judged && perUnit > maxBytesPerUnit)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"managed memory grew by {perUnit:#,0.0} bytes per {workload.Unit} over the second half (at most {maxBytesPerUnit:N0})"));
        }

        if (problems.Count == 0)
        {
            output.WriteLine(judged
                ? string.Create(CultureInfo.InvariantCulture, $"flat: {perUnit:+#,0.0;-#,0.0;0} bytes per {workload.Unit} (at most {maxBytesPerUnit:N0}), no bridge map grew, no failure")
                : string.Create(CultureInfo.InvariantCulture, $"flat by count: no bridge map grew, no failure (bytes per {workload.Unit} not judged: fewer than {MinimumJudgedUnits} {workload.Unit}s in the second half, a smoke run)"));
            return true;
        }

        output.WriteLine("NOT FLAT:");
        problems.ForEach(p => output.WriteLine($"  {p}"));
        return false;
    }

    private static string Kib(long bytes) => (bytes / 1024.0).ToString("#,0.0", CultureInfo.InvariantCulture);
}
