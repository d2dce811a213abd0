using System.Globalization;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// What bench-lateness.png shows, computed before anything is drawn (so a test can read every series and axis range):
/// one panel per interval for one-shot waits and one per interval for periodic timers, each a percentile spectrum (x: the
/// percentile on a "nines" axis, <c>-log10(1 - p/100)</c>: 90 % → 1, 99 % → 2; y: lateness in µs on a log10 axis).
/// </summary>
/// <remarks>
/// <para>Axes. Every panel has the same x range, from 0 % to the last percentile any series reached (no empty 99.99 %
/// column after a quick run), and the same plot-area width when drawn, so a percentile sits at the same x in every panel.
/// Each panel's y range runs from the decade at or below its smallest positive sample to the decade at or above its
/// largest: a spin loop's 0.06 µs is drawn at 0.06, not at an edge. A sample of 0 that is not an early fire (below the
/// histogram's 1 ns resolution) is drawn at 1 ns.</para>
/// <para>Early fires (negative lateness, which a log axis cannot show) are drawn in a shaded band one decade high below
/// the panel's data, labelled "early", over the percentiles they occupy (the first Early of Count samples: 0 to
/// 100·Early/Count %), each such series on its own level in the band: a series that only fired early is a line along
/// the band, never dropped, and the legend gives its count.</para>
/// <para>Colours: one per approach, the same in every panel, from a palette of well-separated hues (Okabe–Ito and
/// d3's); a run with other timers pending is its approach's colour, dashed. The OS floor is black.</para>
/// </remarks>
internal sealed record LatenessPlotModel(string Caption, double XMin, double XMax, IReadOnlyList<PlotTick> XTicks, IReadOnlyList<LatenessPanel> Panels)
{
    /// <summary>The width of the margin after the last percentile, in nines.</summary>
    public const double XMargin = 0.05;

    /// <summary>Where a sample of 0 that is not an early fire is drawn, µs: the histogram's resolution, 1 ns.</summary>
    public const double ZeroMicroseconds = 0.001;

    /// <summary>The part of the early band (from its bottom) the early lines use; the label sits above them.</summary>
    public const double EarlyLevels = 0.7;

    /// <summary>The percentiles that get a tick when the data reaches them.</summary>
    private static readonly double[] TickPercentiles = [0, 50, 90, 99, 99.9, 99.99, 99.999];

    /// <summary>Approach → colour (hex RGB): distinct hues, and black for the OS floor.</summary>
    private static readonly Dictionary<string, string> ApproachColors = new(StringComparer.Ordinal)
    {
        [LatenessBench.OsFloor] = "#000000",
        ["ours"] = "#0072B2",
        ["ours + 50 µs spin"] = "#D55E00",
        ["System.Threading.Timer"] = "#009E73",
        ["Task.Delay"] = "#CC79A7",
        ["PeriodicTimer"] = "#E69F00",
        ["Thread.Sleep"] = "#8C564B",
        ["spin loop"] = "#7F7F7F",
        ["ours, periodic"] = "#0072B2",
        ["ours, periodic + 50 µs spin"] = "#D55E00",
        ["ours, periodic + 60 µs spin"] = "#CC79A7",
    };

    /// <summary>For approaches not in the map, in turn (each distinct from the map's hues).</summary>
    private static readonly string[] SpareColors = ["#17BECF", "#BCBD22", "#9467BD", "#56B4E9"];

    /// <summary>The "nines" position of a percentile: 50 % → 0.3, 90 % → 1, 99 % → 2, 99.9 % → 3.</summary>
    public static double Nines(double percentile) => -Math.Log10(1 - (percentile / 100));

    /// <summary>The model of <paramref name="series"/>; null when no series has a sample.</summary>
    /// <param name="series">Every lateness series of the run (the OS floor's among them, where measured).</param>
    /// <param name="caption">The machine, the date and the mode, for the caption.</param>
    public static LatenessPlotModel? Build(IReadOnlyList<LatenessBench.Series> series, PlotCaption caption)
    {
        ArgumentNullException.ThrowIfNull(series);
        var drawn = series.Where(s => s.Lateness.Count > 0).ToList();
        if (drawn.Count == 0)
        {
            return null;
        }

        var spare = new Dictionary<string, string>(StringComparer.Ordinal);
        string ColorOf(string approach) =>
            ApproachColors.TryGetValue(approach, out var c) ? c
            : spare.TryGetValue(approach, out c) ? c
            : spare[approach] = SpareColors[spare.Count % SpareColors.Length];

        var panels = new List<LatenessPanel>();
        foreach (var periodic in new[] { false, true })
        {
            foreach (var interval in drawn.Where(s => s.Periodic == periodic).Select(s => s.IntervalMicroseconds).Distinct().Order())
            {
                // The OS floor is a one-shot measurement; a periodic panel shows the floor at its interval as the reference.
                var floor = drawn.Where(s => s.Approach == LatenessBench.OsFloor && !s.Periodic && s.IntervalMicroseconds == interval);
                var own = drawn.Where(s => s.Periodic == periodic && s.IntervalMicroseconds == interval && s.Approach != LatenessBench.OsFloor);
                var members = floor.Concat(own).ToList();
                panels.Add(Panel(interval, periodic, members, ColorOf));
            }
        }

        var xMax = panels.SelectMany(p => p.Lines).Where(l => l.Xs.Count > 0).Select(l => l.Xs[^1]).DefaultIfEmpty(Nines(99)).Max() + XMargin;
        var xTicks = TickPercentiles.Where(p => Nines(p) <= xMax)
            .Select(p => new PlotTick(Nines(p), p.ToString("0.###", CultureInfo.InvariantCulture) + " %")).ToList();
        return new LatenessPlotModel(caption.Text, 0, xMax, xTicks, panels);
    }

    private static LatenessPanel Panel(double interval, bool periodic, List<LatenessBench.Series> members, Func<string, string> colorOf)
    {
        // Samples as drawn: (percentile, µs). Early fires enter the histogram as 0, so they are drawn from the count: the
        // first Early of Count samples hold the percentiles 0 to 100·Early/Count (for a series that only fired early, up
        // to the last sample's, 100·(Count - 1)/Count, as every spectrum here ends before 100 %).
        var raw = members.Select(s =>
        {
            var points = s.Lateness.Spectrum().Where(p => p.Percentile < 100).ToList();
            var earlyTo = s.Early == 0 ? -1 : 100.0 * Math.Min(s.Early, s.Lateness.Count - 1) / s.Lateness.Count;
            var late = points.Where(p => !(s.Early > 0 && p.Microseconds <= 0))
                .Select(p => (p.Percentile, Microseconds: p.Microseconds > 0 ? p.Microseconds : ZeroMicroseconds)).ToList();
            double[] early = s.Early == 0 ? [] : earlyTo > 0 ? [0, earlyTo] : [0];
            return (Series: s, Early: early, Late: late);
        }).ToList();

        var values = raw.SelectMany(r => r.Late).Select(p => p.Microseconds).DefaultIfEmpty(1).ToList();
        var low = Math.Floor(Math.Log10(values.Min()));
        var high = Math.Ceiling(Math.Log10(values.Max()));
        if (high <= low)
        {
            high = low + 1;
        }

        // The early band: one decade below the data; each series that fired early on its own level in it, so that two
        // that only fired early do not hide each other.
        var earlySeries = raw.Where(r => r.Early.Length > 0).Select(r => r.Series).ToList();
        (double Low, double High)? band = earlySeries.Count > 0 ? (low - 1, low) : null;
        double EarlyY(LatenessBench.Series s) => low - 1 + (EarlyLevels * (earlySeries.IndexOf(s) + 1.0) / (earlySeries.Count + 1));
        var lines = raw.Select(r =>
        {
            var xs = r.Early.Select(Nines).Concat(r.Late.Select(p => Nines(p.Percentile))).ToList();
            var ys = r.Early.Select(_ => EarlyY(r.Series)).Concat(r.Late.Select(p => Math.Log10(p.Microseconds))).ToList();
            var s = r.Series;
            var load = s.Load == "idle" ? string.Empty : $", {s.Load}";
            var early = s.Early > 0 ? $", {s.Early:N0} early" : string.Empty;
            var label = string.Create(CultureInfo.InvariantCulture, $"{s.Approach}{load} (n={s.Lateness.Count:N0}{early})");
            return new LatenessLine(label, s.Approach, colorOf(s.Approach), Dashed: s.Load != "idle", xs, ys, s.Lateness.Count, s.Early);
        }).ToList();

        var yTicks = new List<PlotTick>();
        if (band is { } b)
        {
            yTicks.Add(new PlotTick(b.Low + (EarlyLevels / 2), "early"));
        }

        for (var decade = low; decade <= high; decade++)
        {
            yTicks.Add(new PlotTick(decade, Math.Pow(10, decade).ToString("#,0.###", CultureInfo.InvariantCulture)));
        }

        var what = periodic
            ? $"Periodic lateness at {Label(interval)}: each callback start - its due time (one timer, phase kept)"
            : $"One-shot lateness at {Label(interval)}: callback start - due time";
        return new LatenessPanel(what, interval, periodic, band?.Low ?? low, high, band, yTicks, lines);
    }

    private static string Label(double microseconds) =>
        microseconds >= 1_000
            ? string.Create(CultureInfo.InvariantCulture, $"{microseconds / 1_000:0.###} ms")
            : string.Create(CultureInfo.InvariantCulture, $"{microseconds:0.#} µs");
}

/// <summary>One axis tick: its position (nines, or log10 µs) and label.</summary>
internal sealed record PlotTick(double Position, string Label);

/// <summary>One panel: the series of one interval, one-shot or periodic.</summary>
/// <param name="Title">The panel's title.</param>
/// <param name="IntervalMicroseconds">The interval, µs.</param>
/// <param name="Periodic">True for periodic timers' expiries.</param>
/// <param name="YMin">The bottom of the y axis, log10 µs (below the early band, if any).</param>
/// <param name="YMax">The top of the y axis, log10 µs.</param>
/// <param name="EarlyBand">The band early fires are drawn in (log10 µs, bottom and top), or null when none fired early.</param>
/// <param name="YTicks">The y ticks: the decades, and "early" in the band.</param>
/// <param name="Lines">The series, in legend order.</param>
internal sealed record LatenessPanel(string Title, double IntervalMicroseconds, bool Periodic, double YMin, double YMax, (double Low, double High)? EarlyBand, IReadOnlyList<PlotTick> YTicks, IReadOnlyList<LatenessLine> Lines);

/// <summary>One series as drawn.</summary>
/// <param name="Label">The legend text: approach, load, sample count and early fires.</param>
/// <param name="Approach">The approach.</param>
/// <param name="Color">Hex RGB.</param>
/// <param name="Dashed">True for a run with other timers pending.</param>
/// <param name="Xs">Percentiles, in nines.</param>
/// <param name="Ys">Lateness, log10 µs; early fires on the series' level in the early band.</param>
/// <param name="Count">Samples.</param>
/// <param name="Early">Early fires among them.</param>
internal sealed record LatenessLine(string Label, string Approach, string Color, bool Dashed, IReadOnlyList<double> Xs, IReadOnlyList<double> Ys, int Count, int Early);

/// <summary>The plot's caption: the machine, when, and whether it was a quick run.</summary>
/// <param name="Machine">Cores, CPU, OS and runtime.</param>
/// <param name="When">When the run ended.</param>
/// <param name="Quick">True for <c>bench --quick</c>.</param>
internal sealed record PlotCaption(string Machine, DateTimeOffset When, bool Quick)
{
    /// <summary>The caption as printed on the figure.</summary>
    public string Text => string.Create(
        CultureInfo.InvariantCulture,
        $"{Machine}; {When.UtcDateTime:yyyy-MM-dd HH:mm} UTC; {(Quick ? "QUICK MODE (bench --quick: a smoke run, the figures mean nothing)" : "full run")}");

    /// <summary>This machine: cores, CPU model (Linux), OS and .NET version.</summary>
    public static string ThisMachine()
    {
        var cpu = CpuModel();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores{(cpu is null ? string.Empty : $" ({cpu})")}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
    }

    private static string? CpuModel()
    {
        try
        {
            return OperatingSystem.IsLinux()
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
