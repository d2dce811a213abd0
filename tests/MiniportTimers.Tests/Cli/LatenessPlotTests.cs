using MiniportTimers.Cli.Bench;
using ScottPlot;
using SkiaSharp;

namespace MiniportTimers.Tests.Cli;

/// <summary>
/// Issue 25, "The plot": bench-lateness.png's series and axes, from the model (<see cref="LatenessPlotModel"/>) and as
/// ScottPlot drew them (<see cref="LatenessPlot.Draw"/>).
/// </summary>
public class LatenessPlotTests
{
    private static readonly PlotCaption Caption = new("2 cores (Test CPU), Test OS, .NET 10", new DateTimeOffset(2026, 12, 1, 10, 30, 0, TimeSpan.Zero), Quick: true);

    private static LatenessBench.Series Series(string approach, double intervalUs, IEnumerable<double> samples, string load = "idle", bool periodic = false)
    {
        var h = new LatenessHistogram(samples);
        return new LatenessBench.Series(approach, intervalUs, load, h, 1.0, h.Early) { Periodic = periodic };
    }

    /// <summary>n samples spread from <paramref name="from"/> to <paramref name="to"/> µs.</summary>
    private static IEnumerable<double> Spread(int n, double from, double to) =>
        Enumerable.Range(0, n).Select(i => from + ((to - from) * i / Math.Max(1, n - 1)));

    /// <summary>A quick run's figure, about as `bench --quick` makes it.</summary>
    private static List<LatenessBench.Series> QuickRun() =>
    [
        Series(LatenessBench.OsFloor, 100, Spread(50, 20, 40)),
        Series("ours", 100, Spread(50, 20, 120)),
        Series("ours + 50 µs spin", 100, Spread(50, 0.5, 200)),
        Series("System.Threading.Timer", 100, Spread(49, -95, -60).Append(30)),
        Series("Task.Delay", 100, Spread(50, -100, -90)),
        Series("PeriodicTimer", 100, Spread(50, 3_000, 5_000)),
        Series("Thread.Sleep", 100, Spread(50, -99, -40)),
        Series("spin loop", 100, Spread(50, 0.03, 20)),
        Series(LatenessBench.OsFloor, 1_000, Spread(20, 40, 120)),
        Series("ours", 1_000, Spread(20, 50, 3_000)),
        Series("ours + 50 µs spin", 1_000, Spread(20, 1, 6)),
        Series("System.Threading.Timer", 1_000, Spread(20, 2_300, 3_500)),
        Series("Task.Delay", 1_000, Spread(20, 2_300, 7_000)),
        Series("PeriodicTimer", 1_000, Spread(20, 2_300, 3_500)),
        Series("Thread.Sleep", 1_000, Spread(20, 80, 130)),
        Series("spin loop", 1_000, Spread(20, 0.06, 2_000)),
        Series("ours", 1_000, Spread(20, 50, 5_000), load: "10,000 pending"),
        Series("System.Threading.Timer", 1_000, Spread(20, 2_300, 4_000), load: "10,000 pending"),
        Series(LatenessBench.OsFloor, 10_000, Spread(10, 60, 1_000)),
        Series("ours", 10_000, Spread(10, 90, 300)),
        Series("PeriodicTimer", 10_000, Spread(9, 600, 30_000).Append(-5)),
        Series("ours, periodic", 1_000, Spread(50, 25, 200), periodic: true),
        Series("ours, periodic + 50 µs spin", 1_000, Spread(50, 2, 900), periodic: true),
        Series("ours, periodic + 60 µs spin", 1_000, Spread(50, 1.5, 30), periodic: true),
    ];

    private static (LatenessPlotModel Model, IReadOnlyList<Plot> Plots) Drawn(List<LatenessBench.Series> series)
    {
        var model = LatenessPlotModel.Build(series, Caption)!;
        using var surface = SKSurface.Create(new SKImageInfo(LatenessPlot.Width, LatenessPlot.Height(model)));
        return (model, LatenessPlot.Draw(model, surface.Canvas));
    }

    private static LatenessPanel PanelOf(LatenessPlotModel model, double interval, bool periodic = false) =>
        model.Panels.Single(p => p.IntervalMicroseconds == interval && p.Periodic == periodic);

    [Fact]
    public void XAxis_EndsAtTheLastPercentileOfTheData_TheSameRangeInEveryPanel()
    {
        var (model, plots) = Drawn(QuickRun());

        var last = model.Panels.SelectMany(p => p.Lines).Max(l => l.Xs[^1]);
        Assert.Equal(last + LatenessPlotModel.XMargin, model.XMax, 9);
        Assert.InRange(last, LatenessPlotModel.Nines(97.5), LatenessPlotModel.Nines(98.5)); // 50 samples: the spectrum's last step below 100 %
        Assert.True(model.XMax < LatenessPlotModel.Nines(99)); // before: 99.99 % always, about 60 % of each panel empty
        Assert.DoesNotContain(model.XTicks, t => t.Position > model.XMax);
        Assert.All(plots, plot =>
        {
            var limits = plot.Axes.GetLimits();
            Assert.Equal((model.XMin, model.XMax), (limits.Left, limits.Right));
        });
    }

    [Fact]
    public void Panels_HaveTheSamePlotArea_SoAPercentileSitsAtTheSameXInEachPanel()
    {
        var (model, plots) = Drawn(QuickRun());

        Assert.Equal(4, plots.Count);
        var areas = plots.Select(p => p.RenderManager.LastRender.DataRect).ToList();
        Assert.All(areas, a => Assert.Equal((areas[0].Left, areas[0].Right), (a.Left, a.Right)));
        var at90 = plots.Select(p => p.GetPixel(new Coordinates(LatenessPlotModel.Nines(90), p.Axes.GetLimits().Bottom)).X).ToList();
        Assert.All(at90, x => Assert.Equal(at90[0], x, 3)); // before: legends of different widths moved it
        Assert.True(areas[0].Width > LatenessPlot.Width / 2);
    }

    [Fact]
    public void ValuesBelowATenthOfAMicrosecond_AreDrawnAtTheirValue_NotAtTheAxisEdge()
    {
        var (model, plots) = Drawn(QuickRun());

        var panel = PanelOf(model, 100);
        var spin = panel.Lines.Single(l => l.Approach == "spin loop");
        Assert.Equal(Math.Log10(0.03), spin.Ys.Min(), 2); // before: drawn at 0.1
        Assert.True(panel.YMin <= Math.Floor(Math.Log10(0.03)) - 1); // the decade below, then the early band
        var drawn = plots[model.Panels.ToList().IndexOf(panel)].GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Single(s => s.LegendText.StartsWith("spin loop", StringComparison.Ordinal));
        Assert.Equal(spin.Ys.Min(), drawn.Data.GetScatterPoints().Min(c => c.Y));
        Assert.Contains(panel.YTicks, t => t.Label == "0.01");
    }

    [Fact]
    public void EarlyFires_AreDrawnInAMarkedBandBelowTheData_AndEverySeriesOfTheLegendIsDrawn()
    {
        var (model, plots) = Drawn(QuickRun());

        var panel = PanelOf(model, 100);
        var band = Assert.NotNull(panel.EarlyBand);
        Assert.Contains(panel.YTicks, t => t.Label == "early" && t.Position > band.Low && t.Position < band.High);
        var data = panel.Lines.Where(l => l.Early < l.Count).SelectMany(l => l.Ys.Skip(l.Early > 0 ? 2 : 0));
        Assert.All(data, y => Assert.True(y >= band.High));

        var taskDelay = panel.Lines.Single(l => l.Approach == "Task.Delay"); // all 50 early: before, dropped from the panel
        Assert.Equal(50, taskDelay.Early);
        Assert.True(taskDelay.Xs.Count >= 2 && taskDelay.Xs[^1] > LatenessPlotModel.Nines(90));
        Assert.All(taskDelay.Ys, y => Assert.InRange(y, band.Low, band.High));
        var sleep = panel.Lines.Single(l => l.Approach == "Thread.Sleep");
        Assert.NotEqual(taskDelay.Ys[0], sleep.Ys[0]); // two all-early series do not hide each other
        var timer = panel.Lines.Single(l => l.Approach == "System.Threading.Timer"); // 49 of 50 early, then 30 µs
        Assert.InRange(timer.Ys[0], band.Low, band.High);
        Assert.Equal(Math.Log10(30), timer.Ys[^1], 2);
        Assert.Contains("49 early", timer.Label, StringComparison.Ordinal);

        var drawn = plots[model.Panels.ToList().IndexOf(panel)].GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Equal(panel.Lines.Select(l => l.Label), drawn.Select(s => s.LegendText));
        Assert.All(drawn, s => Assert.True(s.Data.GetScatterPoints().Count >= 2, s.LegendText));
        Assert.Null(PanelOf(model, 1_000).EarlyBand); // no band where none fired early
    }

    [Fact]
    public void Palette_NoTwoSeriesOfAPanelHaveNearIdenticalColours_AndAnApproachKeepsItsColour()
    {
        var (model, _) = Drawn(QuickRun());

        foreach (var panel in model.Panels)
        {
            foreach (var group in panel.Lines.GroupBy(l => l.Dashed))
            {
                var lines = group.ToList();
                for (var i = 0; i < lines.Count; i++)
                {
                    for (var j = i + 1; j < lines.Count; j++)
                    {
                        var distance = DeltaE(lines[i].Color, lines[j].Color);
                        Assert.True(distance >= 25, $"{panel.Title}: {lines[i].Approach} {lines[i].Color} and {lines[j].Approach} {lines[j].Color} are {distance:0} apart (CIE76)");
                    }
                }
            }
        }

        var colours = model.Panels.SelectMany(p => p.Lines).GroupBy(l => l.Approach).ToList();
        Assert.All(colours, g => Assert.Single(g.Select(l => l.Color).Distinct()));
        Assert.Equal("#000000", colours.Single(g => g.Key == LatenessBench.OsFloor).First().Color);
        Assert.True(PanelOf(model, 1_000).Lines.Single(l => l.Approach == "ours" && l.Dashed).Label.Contains("10,000 pending", StringComparison.Ordinal));
    }

    [Fact]
    public void PeriodicSeries_HaveTheirOwnPanel_OneShotPanelsHoldOnlyOneShotWaits()
    {
        var (model, plots) = Drawn(QuickRun());

        Assert.Equal([(100.0, false), (1_000.0, false), (10_000.0, false), (1_000.0, true)], model.Panels.Select(p => (p.IntervalMicroseconds, p.Periodic)));
        foreach (var panel in model.Panels.Where(p => !p.Periodic))
        {
            Assert.StartsWith("One-shot lateness", panel.Title, StringComparison.Ordinal);
            Assert.DoesNotContain(panel.Lines, l => l.Approach.Contains("periodic", StringComparison.Ordinal));
        }

        var periodic = PanelOf(model, 1_000, periodic: true);
        Assert.StartsWith("Periodic lateness at 1 ms", periodic.Title, StringComparison.Ordinal);
        Assert.Equal([LatenessBench.OsFloor, "ours, periodic", "ours, periodic + 50 µs spin", "ours, periodic + 60 µs spin"], periodic.Lines.Select(l => l.Approach));
        Assert.Equal(periodic.Title, plots[^1].Axes.Title.Label.Text);
    }

    [Fact]
    public void OsFloorSeries_LeadsEveryPanelOfItsInterval_AndTheCaptionNamesTheMachineTheDateAndTheMode()
    {
        var model = LatenessPlotModel.Build(QuickRun(), Caption)!;

        Assert.All(model.Panels, p => Assert.Equal(LatenessBench.OsFloor, p.Lines[0].Approach));
        Assert.Contains("2 cores (Test CPU), Test OS, .NET 10", model.Caption, StringComparison.Ordinal);
        Assert.Contains("2026-12-01 10:30 UTC", model.Caption, StringComparison.Ordinal);
        Assert.Contains("QUICK MODE", model.Caption, StringComparison.Ordinal);
        var full = LatenessPlotModel.Build(QuickRun(), Caption with { Quick = false })!;
        Assert.DoesNotContain("QUICK", full.Caption, StringComparison.Ordinal);
        Assert.Contains(Environment.ProcessorCount + " cores", PlotCaption.ThisMachine(), StringComparison.Ordinal);
    }

    [Fact]
    public void HgrmNames_WriteMicrosecondsAsUs()
    {
        Assert.Equal("lateness-1000us-ours-50us-spin.hgrm", BenchCommand.HgrmName(Series("ours + 50 µs spin", 1_000, [1.0])));
        Assert.Equal("lateness-1000us-ours-periodic-60us-spin.hgrm", BenchCommand.HgrmName(Series("ours, periodic + 60 µs spin", 1_000, [1.0], periodic: true)));
        Assert.Equal("lateness-1000us-ours-10-000-pending.hgrm", BenchCommand.HgrmName(Series("ours", 1_000, [1.0], load: "10,000 pending")));
        Assert.Equal("lateness-100us-OS-floor-timerfd.hgrm", BenchCommand.HgrmName(Series(LatenessBench.OsFloor, 100, [1.0])));
    }

    /// <summary>CIE76 colour difference of two hex RGB colours (sRGB, D65).</summary>
    private static double DeltaE(string a, string b)
    {
        var (l1, a1, b1) = Lab(a);
        var (l2, a2, b2) = Lab(b);
        return Math.Sqrt(Math.Pow(l1 - l2, 2) + Math.Pow(a1 - a2, 2) + Math.Pow(b1 - b2, 2));
    }

    private static (double L, double A, double B) Lab(string hex)
    {
        static double Linear(int c)
        {
            var v = c / 255.0;
            return v <= 0.04045 ? v / 12.92 : Math.Pow((v + 0.055) / 1.055, 2.4);
        }

        static double F(double t) => t > 216.0 / 24389 ? Math.Cbrt(t) : ((24389.0 / 27 * t) + 16) / 116;
        var rgb = Convert.FromHexString(hex.TrimStart('#'));
        var (r, g, bl) = (Linear(rgb[0]), Linear(rgb[1]), Linear(rgb[2]));
        var x = ((0.4124 * r) + (0.3576 * g) + (0.1805 * bl)) / 0.95047;
        var y = (0.2126 * r) + (0.7152 * g) + (0.0722 * bl);
        var z = ((0.0193 * r) + (0.1192 * g) + (0.9505 * bl)) / 1.08883;
        return ((116 * F(y)) - 16, 500 * (F(x) - F(y)), 200 * (F(y) - F(z)));
    }
}
