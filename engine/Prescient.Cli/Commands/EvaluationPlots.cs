using System.Globalization;
using Prescient.Abstractions.Forecasting;
using Prescient.Forecasting.Evaluation;
using ScottPlot;

namespace Prescient.Cli.Commands;

/// <summary>Writes PNG and SVG plots of actual vs forecast (median, 80 % and 95 % bands) for the recorded series of an evaluation.</summary>
public static class EvaluationPlots
{
    /// <summary>Writes one PNG and one SVG per recorded (model, series) of the ensemble (or every model when the ensemble was not run); returns the number of files.</summary>
    public static int Write(EvaluationReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        var tracks = report.Plots.Where(p => p.Model == "ensemble").ToList();
        if (tracks.Count == 0)
        {
            tracks = report.Plots.ToList();
        }

        var files = 0;
        foreach (var track in tracks)
        {
            var plot = new Plot();
            var xs = new double[track.Actual.Length];
            for (var i = 0; i < xs.Length; i++)
            {
                xs[i] = i * track.StepSeconds / 3600.0;
            }

            AddBand(plot, track, xs, 0.025, 0.975, Colors.SteelBlue.WithAlpha(0.15), "95 %");
            AddBand(plot, track, xs, 0.1, 0.9, Colors.SteelBlue.WithAlpha(0.3), "80 %");
            var median = Array.IndexOf(track.Quantiles, 0.5);
            if (median >= 0)
            {
                var line = plot.Add.ScatterLine(xs, track.Forecast[median]);
                line.Color = Colors.SteelBlue;
                line.LegendText = $"{track.Model} median";
            }

            var actual = plot.Add.ScatterLine(xs, track.Actual);
            actual.Color = Colors.Black;
            actual.LineWidth = 1;
            actual.LegendText = "actual";
            plot.Title($"{track.Series} — {track.Model}, {ForecastShape.FormatDuration(track.HorizonSeconds)} ahead");
            plot.XLabel("hours from " + DateTimeOffset.FromUnixTimeSeconds(track.StartSeconds).ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
            plot.ShowLegend();
            var stem = Path.Combine(directory, $"{track.Model}_{Sanitize(track.Series)}_{ForecastShape.FormatDuration(track.HorizonSeconds)}");
            plot.SavePng(stem + ".png", 1200, 500);
            plot.SaveSvg(stem + ".svg", 1200, 500);
            files += 2;
        }

        return files;
    }

    private static void AddBand(Plot plot, PlotTrack track, double[] xs, double lo, double hi, ScottPlot.Color color, string label)
    {
        var l = Array.FindIndex(track.Quantiles, q => Math.Abs(q - lo) < 1e-9);
        var h = Array.FindIndex(track.Quantiles, q => Math.Abs(q - hi) < 1e-9);
        if (l < 0 || h < 0)
        {
            return;
        }

        var fill = plot.Add.FillY(xs, Clean(track.Forecast[l]), Clean(track.Forecast[h]));
        fill.FillColor = color;
        fill.LineWidth = 0;
        fill.LegendText = label;
    }

    private static double[] Clean(double[] values) => values.Select(v => double.IsFinite(v) ? v : 0).ToArray();

    private static string Sanitize(string s) => new(s.Select(c => char.IsLetterOrDigit(c) || c == '-' ? c : '_').ToArray());
}
