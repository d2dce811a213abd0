using System.Globalization;
using ScottPlot;
using SkiaSharp;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// The lateness plot performance engineers read: a percentile spectrum per interval (x: percentile on a log "nines"
/// axis, 50 % … 99.99 %; y: lateness in µs on a log axis), one panel per interval, every approach in the legend with its
/// sample count and its early fires (which a log axis cannot show, so they are named, not pinned at an edge). Drawn
/// with ScottPlot (CLI only; the library has no plotting dependency) and saved as PNG and SVG.
/// </summary>
internal static class LatenessPlot
{
    private const int Width = 1400;
    private const int PanelHeight = 460;
    private static readonly double[] TickPercentiles = [50, 90, 99, 99.9, 99.99];

    /// <summary>Draws one panel per interval of <paramref name="series"/>; null when there is nothing to draw.</summary>
    public static Multiplot? Build(IReadOnlyList<LatenessBench.Series> series)
    {
        var intervals = series.Where(s => s.Lateness.Count > 0).GroupBy(s => s.IntervalMicroseconds).OrderBy(g => g.Key).ToList();
        if (intervals.Count == 0)
        {
            return null;
        }

        var multiplot = new Multiplot();
        while (multiplot.Subplots.Count > 0)
        {
            multiplot.Subplots.RemoveAt(0); // it starts with an empty plot
        }

        foreach (var interval in intervals)
        {
            var plot = new Plot();
            plot.Add.Palette = new ScottPlot.Palettes.Category20();
            foreach (var s in interval)
            {
                // Early fires enter the histogram as 0: they are named in the legend, not drawn pinned at the axis.
                var points = s.Lateness.Spectrum().Where(p => p.Percentile < 99.999 && !(s.Early > 0 && p.Microseconds <= 0)).ToList();
                var xs = points.Select(p => Nines(p.Percentile)).ToArray();
                var ys = points.Select(p => Math.Log10(Math.Max(p.Microseconds, 0.1))).ToArray();
                var line = plot.Add.ScatterLine(xs, ys);
                var load = s.Load == "idle" ? string.Empty : $", {s.Load}";
                var early = s.Early > 0 ? $", {s.Early} early" : string.Empty;
                line.LegendText = $"{s.Approach}{load} (n={s.Lateness.Count:N0}{early})";
                line.LineWidth = 2;
            }

            plot.Title($"One-shot lateness at {Label(interval.Key)}: callback start - due time");
            plot.XLabel("percentile");
            plot.YLabel("lateness, µs (log scale)");
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                [.. TickPercentiles.Select(Nines)],
                [.. TickPercentiles.Select(p => p.ToString("0.##", CultureInfo.InvariantCulture) + " %")]);
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => Math.Pow(10, y).ToString("#,0.#", CultureInfo.InvariantCulture),
            };
            plot.Axes.SetLimitsX(0, Nines(99.99) + 0.1);
            plot.ShowLegend(Edge.Right);
            multiplot.Subplots.Add(plot);
        }

        multiplot.Layout = new ScottPlot.MultiplotLayouts.Rows();
        return multiplot;
    }

    /// <summary>Saves the plot as PNG and SVG; returns the paths written.</summary>
    public static void Save(Multiplot multiplot, string pngPath, string svgPath)
    {
        var height = PanelHeight * multiplot.Subplots.Count;
        var rect = new PixelRect(0, Width, height, 0);
        using (var surface = SKSurface.Create(new SKImageInfo(Width, height)))
        {
            surface.Canvas.Clear(SKColors.White);
            multiplot.Render(surface.Canvas, rect);
            using var image = surface.Snapshot();
            using var png = image.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(pngPath, png.ToArray());
        }

        using var svgStream = File.Create(svgPath);
        using (var svg = SKSvgCanvas.Create(new SKRect(0, 0, Width, height), svgStream))
        {
            multiplot.Render(svg, rect);
        }
    }

    /// <summary>The "nines" position of a percentile: 50 % → 0.3, 90 % → 1, 99 % → 2, 99.9 % → 3.</summary>
    private static double Nines(double percentile) => -Math.Log10(1 - (percentile / 100));

    private static string Label(double microseconds) =>
        microseconds >= 1_000 ? $"{microseconds / 1_000:0.###} ms" : $"{microseconds:0.#} µs";
}
