using ScottPlot;
using SkiaSharp;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// Draws a <see cref="LatenessPlotModel"/> with ScottPlot (CLI only; the library has no plotting dependency) and saves it
/// as PNG and SVG: the caption on top, then the panels one below the other, each with the same fixed plot-area margins
/// (so the plot areas, and every percentile tick, line up), its legend in the right margin.
/// </summary>
internal static class LatenessPlot
{
    /// <summary>The figure's width, px.</summary>
    public const int Width = 1400;

    /// <summary>One panel's height, px.</summary>
    public const int PanelHeight = 460;

    /// <summary>The caption strip's height, px.</summary>
    public const int CaptionHeight = 34;

    /// <summary>The plot area's margins in every panel, px: the legend sits in the right one.</summary>
    public static readonly PixelPadding DataPadding = new(left: 110, right: 430, bottom: 55, top: 40);

    /// <summary>The shade of the early-fire band.</summary>
    private static readonly Color EarlyBandColor = Color.FromHex("#FBE3E3");

    /// <summary>The figure's height for <paramref name="model"/>, px.</summary>
    public static int Height(LatenessPlotModel model) => CaptionHeight + (PanelHeight * model.Panels.Count);

    /// <summary>One ScottPlot plot per panel of <paramref name="model"/>, with its axes, band and lines (not yet drawn).</summary>
    public static IReadOnlyList<Plot> Plots(LatenessPlotModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var plots = new List<Plot>();
        foreach (var panel in model.Panels)
        {
            var plot = new Plot();
            if (panel.EarlyBand is { } band)
            {
                var span = plot.Add.VerticalSpan(band.Low, band.High, EarlyBandColor);
                span.LineWidth = 0;
                var text = plot.Add.Text("fired early (before the due time), over the percentiles they hold", model.XMin + 0.02, band.High - 0.04);
                text.LabelFontSize = 11;
                text.LabelFontColor = Color.FromHex("#A03030");
                text.LabelAlignment = Alignment.UpperLeft;
            }

            foreach (var line in panel.Lines)
            {
                var scatter = plot.Add.ScatterLine(line.Xs.ToArray(), line.Ys.ToArray(), Color.FromHex(line.Color));
                scatter.LegendText = line.Label;
                scatter.LineWidth = 2;
                scatter.MarkerSize = line.Xs.Count == 1 ? 5 : 0; // a one-point series stays visible
                scatter.LinePattern = line.Dashed ? LinePattern.Dashed : LinePattern.Solid;
            }

            plot.Title(panel.Title);
            plot.XLabel("percentile");
            plot.YLabel("lateness, µs (log scale)");
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                [.. model.XTicks.Select(t => t.Position)], [.. model.XTicks.Select(t => t.Label)]);
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                [.. panel.YTicks.Select(t => t.Position)], [.. panel.YTicks.Select(t => t.Label)]);
            plot.Axes.SetLimits(model.XMin, model.XMax, panel.YMin, panel.YMax);
            plot.Layout.Fixed(DataPadding);
            plot.ShowLegend(Edge.Right);
            plot.Legend.FontSize = 12; // the longest entry ("System.Threading.Timer, 1,000,000 pending (n=500)") fits the right margin
            plot.RenderManager.ClearCanvasBeforeEachRender = false;
            plots.Add(plot);
        }

        return plots;
    }

    /// <summary>Draws <paramref name="model"/> on <paramref name="canvas"/> (white background, caption, panels); returns the plots drawn.</summary>
    public static IReadOnlyList<Plot> Draw(LatenessPlotModel model, SKCanvas canvas)
    {
        ArgumentNullException.ThrowIfNull(canvas);
        var plots = Plots(model);
        canvas.Clear(SKColors.White);
        for (var i = 0; i < plots.Count; i++)
        {
            var top = CaptionHeight + (i * PanelHeight);
            plots[i].Render(canvas, new PixelRect(0, Width, top + PanelHeight, top));
        }

        using var font = new SKFont(SKTypeface.Default, 15);
        using var paint = new SKPaint { Color = model.Caption.Contains("QUICK", StringComparison.Ordinal) ? new SKColor(0xB0, 0x20, 0x20) : SKColors.Black, IsAntialias = true };
        canvas.DrawText(model.Caption, DataPadding.Left, CaptionHeight - 10, SKTextAlign.Left, font, paint);
        return plots;
    }

    /// <summary>Saves <paramref name="model"/> as PNG and SVG.</summary>
    public static void Save(LatenessPlotModel model, string pngPath, string svgPath)
    {
        var height = Height(model);
        using (var surface = SKSurface.Create(new SKImageInfo(Width, height)))
        {
            Draw(model, surface.Canvas);
            using var image = surface.Snapshot();
            using var png = image.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(pngPath, png.ToArray());
        }

        using var svgStream = File.Create(svgPath);
        using (var svg = SKSvgCanvas.Create(new SKRect(0, 0, Width, height), svgStream))
        {
            Draw(model, svg);
        }
    }
}
