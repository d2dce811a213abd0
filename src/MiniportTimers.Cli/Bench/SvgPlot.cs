using System.Globalization;
using System.Text;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// A small SVG writer (the registry has no plotting package): lateness distributions as cumulative curves, x = lateness
/// in µs on a log scale, y = fraction of fires at or below it, one panel per interval.
/// </summary>
internal static class SvgPlot
{
    private static readonly string[] Colors = ["#d62728", "#ff7f0e", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#7f7f7f", "#e377c2", "#17becf", "#bcbd22", "#393b79", "#843c39"];

    public static string LatenessCdf(IReadOnlyList<LatenessBench.Series> series)
    {
        const int PanelWidth = 420, PanelHeight = 300, Left = 60, Top = 40, Gap = 40;
        var intervals = series.Select(s => (s.IntervalMicroseconds, s.Load)).Distinct().ToList();
        var approaches = series.Select(s => s.Approach).Distinct().ToList();
        var width = Left + (intervals.Count * (PanelWidth + Gap)) + 20;
        var height = Top + PanelHeight + 60 + (approaches.Count * 18);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"20\" font-size=\"14\">Lateness (fire time − due time), cumulative; x: µs, log scale (early fires are drawn at the left edge)</text>\n");
        const double MinUs = 0.1, MaxUs = 100_000;
        double X(double us, int panel) => Left + (panel * (PanelWidth + Gap)) + (PanelWidth * (Math.Log10(Math.Clamp(us, MinUs, MaxUs)) - Math.Log10(MinUs)) / (Math.Log10(MaxUs) - Math.Log10(MinUs)));
        double Y(double fraction) => Top + (PanelHeight * (1 - fraction));
        for (var p = 0; p < intervals.Count; p++)
        {
            var (interval, load) = intervals[p];
            var x0 = Left + (p * (PanelWidth + Gap));
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x0}\" y=\"{Top}\" width=\"{PanelWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#999\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0}\" y=\"{Top - 6}\">{interval:0.#} µs, {load}</text>\n");
            for (var decade = MinUs; decade <= MaxUs; decade *= 10)
            {
                var x = X(decade, p);
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:F1}\" y1=\"{Top}\" x2=\"{x:F1}\" y2=\"{Top + PanelHeight}\" stroke=\"#eee\"/><text x=\"{x - 10:F1}\" y=\"{Top + PanelHeight + 14}\">{decade:0.#}</text>\n");
            }

            foreach (var s in series.Where(s => s.IntervalMicroseconds == interval && s.Load == load))
            {
                var sorted = s.Lateness.Sorted;
                if (sorted.Length == 0)
                {
                    continue;
                }

                var color = Colors[approaches.IndexOf(s.Approach) % Colors.Length];
                var points = new StringBuilder();
                for (var i = 0; i < sorted.Length; i++)
                {
                    points.Append(CultureInfo.InvariantCulture, $"{X(sorted[i], p):F1},{Y((i + 1) / (double)sorted.Length):F1} ");
                }

                svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{points}\"/>\n");
            }
        }

        for (var i = 0; i < approaches.Count; i++)
        {
            var y = Top + PanelHeight + 34 + (i * 18);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{y - 4}\" x2=\"{Left + 24}\" y2=\"{y - 4}\" stroke=\"{Colors[i % Colors.Length]}\" stroke-width=\"3\"/><text x=\"{Left + 30}\" y=\"{y}\">{System.Security.SecurityElement.Escape(approaches[i])}</text>\n");
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }
}
