using Prescient.Abstractions.Telemetry;

namespace Prescient.Forecasting.Evaluation;

/// <summary>The result of an evaluation: model → horizon (seconds) → resource → metrics, plus plot data.</summary>
public sealed class EvaluationReport
{
    /// <summary>Scores by model name, horizon in seconds, resource.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<int, IReadOnlyDictionary<ResourceKind, EvaluationMetrics>>> Models { get; init; }

    /// <summary>Series evaluated.</summary>
    public int SeriesEvaluated { get; init; }

    /// <summary>Series left out because their in-sample seasonal-naive MAE is 0 or undefined (constant or empty warm-up): MASE is undefined for them.</summary>
    public int SeriesExcluded { get; init; }

    /// <summary>Wall time per model, seconds.</summary>
    public required IReadOnlyDictionary<string, double> SecondsPerModel { get; init; }

    /// <summary>Actual vs forecast of a few series, for plots.</summary>
    public required IReadOnlyList<PlotTrack> Plots { get; init; }
}

/// <summary>
/// Actual values and one model's forecasts for one series at one horizon, aligned on the target step:
/// <c>Forecast[q][i]</c> is the forecast of <c>Actual[i]</c> made <see cref="HorizonSeconds"/> earlier.
/// </summary>
/// <param name="Series">The series' key as text.</param>
/// <param name="Model">The model.</param>
/// <param name="HorizonSeconds">Forecast lead time.</param>
/// <param name="StartSeconds">Unix time of the first point.</param>
/// <param name="StepSeconds">Step between points.</param>
/// <param name="Actual">Actual values (NaN = missing).</param>
/// <param name="Quantiles">Quantile levels of <paramref name="Forecast"/>.</param>
/// <param name="Forecast">Per quantile level, the forecasts.</param>
public sealed record PlotTrack(string Series, string Model, int HorizonSeconds, long StartSeconds, int StepSeconds, double[] Actual, double[] Quantiles, double[][] Forecast);
