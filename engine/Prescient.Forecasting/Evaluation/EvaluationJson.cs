using System.Globalization;
using System.Text.Json;
using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;

namespace Prescient.Forecasting.Evaluation;

/// <summary>
/// Writes an <see cref="EvaluationReport"/> as the JSON document of <c>prescient eval --json</c>:
/// <c>{"models": {"&lt;name&gt;": {"&lt;horizon&gt;": {"&lt;resource&gt;": {"mase", "smape", "pinball": {"0.5", "0.8", "0.9", "0.95", "0.99"},
/// "coverage80", "coverage95"}}}}}</c>, horizons written like <c>5m</c>, <c>1h</c>; plus <c>series_evaluated</c> and
/// <c>series_excluded</c> at the top level.
/// </summary>
public static class EvaluationJson
{
    /// <summary>The quantile levels written under <c>pinball</c>.</summary>
    public static readonly double[] ReportedQuantiles = ForecastShape.DefaultQuantiles;

    /// <summary>Writes the document to <paramref name="stream"/>.</summary>
    public static void Write(EvaluationReport report, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteStartObject("models");
        foreach (var (model, horizons) in report.Models)
        {
            w.WriteStartObject(model);
            foreach (var (horizon, resources) in horizons.OrderBy(kv => kv.Key))
            {
                w.WriteStartObject(ForecastShape.FormatDuration(horizon));
                foreach (var (resource, m) in resources.OrderBy(kv => (int)kv.Key))
                {
                    w.WriteStartObject(resource.Name());
                    Number(w, "mase", m.Mase);
                    Number(w, "smape", m.Smape);
                    w.WriteStartObject("pinball");
                    foreach (var q in ReportedQuantiles)
                    {
                        if (m.Pinball.TryGetValue(q, out var p))
                        {
                            Number(w, q.ToString(CultureInfo.InvariantCulture), p);
                        }
                    }

                    w.WriteEndObject();
                    Number(w, "coverage80", m.Coverage80);
                    Number(w, "coverage95", m.Coverage95);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteNumber("series_evaluated", report.SeriesEvaluated);
        w.WriteNumber("series_excluded", report.SeriesExcluded);
        w.WriteEndObject();
        w.Flush();
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, Math.Round(value, 6));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
