using System.Globalization;
using System.Net;
using System.Text;
using Prescient.Replay.Simulation;
using Prescient.Replay.Workloads;
using ScottPlot;

namespace Prescient.Replay.Reporting;

/// <summary>
/// Writes <c>report.html</c> with its images beside it (PNG, relative links, no network needed), and
/// <c>report.json</c> (the same document as <c>--json</c>). Every number in the HTML tables carries
/// <c>data-policy</c>, <c>data-resource</c> and <c>data-metric</c> attributes so that a test can check it against the JSON.
/// </summary>
public static class ReplayReport
{
    private static readonly string[] PolicyColors = ["#7f7f7f", "#ff7f0e", "#9467bd", "#8c564b", "#1f77b4"];

    public static string Write(string directory, ReplayResult result)
    {
        Directory.CreateDirectory(directory);
        using (var json = File.Create(Path.Combine(directory, "report.json")))
        {
            ReplayJson.Write(json, result);
        }

        var images = new List<(string File, string Caption)>();
        foreach (var resource in result.Resources)
        {
            var file = $"curve-{resource.Name()}.png";
            CurvePlot(result, resource).SavePng(Path.Combine(directory, file), 900, 600);
            images.Add((file, $"Slack against shortfall, {resource.Name()}: every policy, and predictive at each risk setting (lower left is better)."));
        }

        var predictive = result.Policies.FirstOrDefault(p => p.Policy == "predictive");
        if (predictive is not null)
        {
            foreach (var traced in predictive.Traced)
            {
                var file = $"usage-job{traced.Job}-{traced.Resource.Name()}.png";
                UsagePlot(result, traced).SavePng(Path.Combine(directory, file), 1200, 500);
                images.Add((file, $"Demand and allocation of each policy, job {traced.Job}, {traced.Resource.Name()} ({traced.Resource.Unit()}), with predictive's planned band."));
            }
        }

        var path = Path.Combine(directory, "report.html");
        File.WriteAllText(path, Html(result, images), Encoding.UTF8);
        return path;
    }

    private static Plot CurvePlot(ReplayResult result, ReplayResource resource)
    {
        var plot = new Plot();
        for (var i = 0; i < result.Policies.Count; i++)
        {
            var run = result.Policies[i];
            var o = run.Outcomes[resource];
            var marker = plot.Add.Marker(o.Slack, o.Shortfall, MarkerShape.FilledCircle, 12, Color.FromHex(PolicyColors[i % PolicyColors.Length]));
            marker.LegendText = run.Policy + (run.RiskQuantile is { } q ? $" (q={q})" : "");
        }

        if (result.Sweep.Count > 1)
        {
            var xs = result.Sweep.Select(s => s.Outcomes[resource].Slack).ToArray();
            var ys = result.Sweep.Select(s => s.Outcomes[resource].Shortfall).ToArray();
            var line = plot.Add.ScatterLine(xs, ys);
            line.LegendText = "predictive sweep";
            line.MarkerShape = MarkerShape.OpenSquare;
            line.MarkerSize = 9;
            line.Color = Color.FromHex("#1f77b4");
        }

        plot.Title($"{resource.Name()}: slack vs shortfall");
        plot.XLabel("slack (allocation above demand / allocation)");
        plot.YLabel("shortfall (demand above allocation / demand)");

        // Beside the chart, not on it (here and on the usage plots): the points sit anywhere, static's and predictive's in
        // the lower right corner on network and storage.
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static Plot UsagePlot(ReplayResult result, TracedSeries band)
    {
        var plot = new Plot();
        var hours = Enumerable.Range(0, band.Demand.Length).Select(t => t * result.StepSeconds / 3600.0).ToArray();
        if (band.Median is not null && band.Upper is not null)
        {
            var lo = band.Median.Select(v => float.IsFinite(v) ? (double)v : 0).ToArray();
            var hi = band.Upper.Select(v => float.IsFinite(v) ? (double)v : 0).ToArray();
            var fill = plot.Add.FillY(hours, lo, hi);
            fill.FillColor = Color.FromHex("#1f77b4").WithAlpha(0.2);
            fill.LegendText = "predictive: planned median…risk quantile";
        }

        for (var i = 0; i < result.Policies.Count; i++)
        {
            var run = result.Policies[i];
            var traced = run.Traced.FirstOrDefault(s => s.Job == band.Job && s.Resource == band.Resource);
            if (traced is null)
            {
                continue;
            }

            var line = plot.Add.ScatterLine(hours, traced.Allocation.Select(v => (double)v).ToArray());
            line.LegendText = run.Policy;
            line.Color = Color.FromHex(PolicyColors[i % PolicyColors.Length]);
            line.LineWidth = run.Policy == "predictive" ? 2 : 1;
        }

        var demand = plot.Add.ScatterLine(hours, band.Demand.Select(v => (double)v).ToArray());
        demand.LegendText = "demand";
        demand.Color = Colors.Black;
        demand.LineWidth = 1.5f;
        plot.Title($"job {band.Job}: {band.Resource.Name()} ({band.Resource.Unit()})");
        plot.XLabel("hours");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static string Html(ReplayResult result, List<(string File, string Caption)> images)
    {
        var b = new StringBuilder();
        b.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Prescient replay</title>\n");
        b.Append("<style>body{font-family:sans-serif;margin:2em;max-width:1300px}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}figure{margin:1.5em 0}img{max-width:100%;border:1px solid #ddd}</style>\n");
        b.Append("</head><body>\n<h1>Prescient replay</h1>\n");
        b.Append(CultureInfo.InvariantCulture, $"<p>Workload <code>{Enc(result.Source)}</code>: {result.Jobs} jobs on {result.Nodes} nodes, {result.Steps} steps of {result.StepSeconds} s ({result.Steps * result.StepSeconds / 3600.0:0.#} h), seed {result.Seed}. ");
        b.Append("Each policy sets every job's allocation a step ahead; the same accounting compares it with the demand of the step.</p>\n");
        foreach (var resource in result.Resources)
        {
            b.Append(CultureInfo.InvariantCulture, $"<h2>{resource.Name()}</h2>\n<table><tr><th>policy</th><th>shortfall</th><th>slack</th><th>shortfall events</th><th>OOM events</th><th>changes</th><th>spikes</th><th>provisioned ahead</th><th>mean reaction (s)</th></tr>\n");
            foreach (var run in result.Policies)
            {
                var o = run.Outcomes[resource];
                b.Append(CultureInfo.InvariantCulture, $"<tr><td>{Enc(run.Policy)}{(run.RiskQuantile is { } q ? $" (q={q})" : "")}</td>");
                Cell(b, run.Policy, resource, "shortfall", o.Shortfall, "0.0000");
                Cell(b, run.Policy, resource, "slack", o.Slack, "0.0000");
                Cell(b, run.Policy, resource, "shortfall_events", o.ShortfallEvents, "0");
                Cell(b, run.Policy, resource, "oom_events", o.OomEvents, "0");
                Cell(b, run.Policy, resource, "changes", o.Changes, "0");
                Cell(b, run.Policy, resource, "spikes", o.Spikes, "0");
                Cell(b, run.Policy, resource, "preprovisioned_spike_share", o.PreprovisionedSpikeShare, "0.000");
                Cell(b, run.Policy, resource, "mean_reaction_seconds", o.MeanReactionSeconds, "0");
                b.Append("</tr>\n");
            }

            b.Append("</table>\n");
        }

        if (result.Sweep.Count > 0)
        {
            b.Append("<h2>predictive at each risk setting</h2>\n<table><tr><th>quantile</th>");
            foreach (var resource in result.Resources)
            {
                b.Append(CultureInfo.InvariantCulture, $"<th>{resource.Name()} shortfall</th><th>{resource.Name()} slack</th>");
            }

            b.Append("</tr>\n");
            foreach (var run in result.Sweep)
            {
                b.Append(CultureInfo.InvariantCulture, $"<tr><td>{run.RiskQuantile}</td>");
                foreach (var resource in result.Resources)
                {
                    var o = run.Outcomes[resource];
                    Cell(b, $"sweep-{run.RiskQuantile?.ToString(CultureInfo.InvariantCulture)}", resource, "shortfall", o.Shortfall, "0.0000");
                    Cell(b, $"sweep-{run.RiskQuantile?.ToString(CultureInfo.InvariantCulture)}", resource, "slack", o.Slack, "0.0000");
                }

                b.Append("</tr>\n");
            }

            b.Append("</table>\n");
        }

        foreach (var (file, caption) in images)
        {
            b.Append(CultureInfo.InvariantCulture, $"<figure><img src=\"{Enc(file)}\" alt=\"{Enc(caption)}\"><figcaption>{Enc(caption)}</figcaption></figure>\n");
        }

        b.Append("<p>Numbers: <a href=\"report.json\">report.json</a>. Definitions: docs/models/replay.md.</p>\n");
        // Marks every image as loaded or not once the page has loaded (local files only; no network), so a missing plot is visible to a reader and to tests.
        b.Append("<script>window.addEventListener('load',function(){var bad=0;document.querySelectorAll('img').forEach(function(i){var ok=i.complete&&i.naturalWidth>0;i.setAttribute('data-loaded',ok?'true':'false');if(!ok)bad++;});document.body.setAttribute('data-images-missing',String(bad));});</script>\n");
        b.Append("</body></html>\n");
        return b.ToString();
    }

    private static void Cell(StringBuilder b, string policy, ReplayResource resource, string metric, double value, string format) =>
        b.Append(CultureInfo.InvariantCulture,
            $"<td data-policy=\"{Enc(policy)}\" data-resource=\"{resource.Name()}\" data-metric=\"{metric}\" data-value=\"{value.ToString("R", CultureInfo.InvariantCulture)}\">{value.ToString(format, CultureInfo.InvariantCulture)}</td>");

    private static string Enc(string s) => WebUtility.HtmlEncode(s);
}
