using ScottPlot;

namespace Prescient.Bench.Scale;

/// <summary>Latency against node count, one line per measure (command round trip p99, cycle p50 and p99).</summary>
internal static class ScalePlot
{
    public static void Write(string path, IReadOnlyList<ScaleResult> results)
    {
        var plot = new Plot();
        var xs = results.Select(r => (double)r.Nodes).ToArray();
        void Line(string label, Func<ScaleResult, double> y)
        {
            var line = plot.Add.ScatterLine(xs, results.Select(y).ToArray());
            line.LegendText = label;
            line.MarkerSize = 7;
        }

        Line("command round trip p99", r => r.RttP99);
        Line("cycle p50", r => r.CycleP50);
        Line("cycle p99", r => r.CycleP99);
        plot.Title("Prescient engine latency against cluster size");
        plot.XLabel("nodes (one report per node per second)");
        plot.YLabel("milliseconds");
        plot.ShowLegend();
        plot.SavePng(path, 900, 550);
    }
}
