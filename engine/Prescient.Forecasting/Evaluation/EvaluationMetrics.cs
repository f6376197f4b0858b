namespace Prescient.Forecasting.Evaluation;

/// <summary>
/// Scores of one model at one horizon on one resource. MASE: MAE of the median forecast divided by the in-sample
/// MAE of the daily seasonal-naive forecast, averaged over series. sMAPE: mean of 2|y − ŷ|/(|y| + |ŷ|) (0 when both
/// are 0), averaged over series. Pinball: mean pinball loss per quantile divided by the same scale as MASE
/// (unit-free), averaged over series. Coverage: share of all scored points inside the central 80 % interval
/// [q0.1, q0.9] and the 95 % interval [q0.025, q0.975], ends included.
/// </summary>
public sealed class EvaluationMetrics
{
    /// <summary>Mean absolute scaled error of the median.</summary>
    public double Mase { get; init; }

    /// <summary>Symmetric mean absolute percentage error of the median, in [0, 2].</summary>
    public double Smape { get; init; }

    /// <summary>Scaled pinball loss by quantile level (keys as written in JSON, e.g. <c>0.9</c>).</summary>
    public required IReadOnlyDictionary<double, double> Pinball { get; init; }

    /// <summary>Coverage of the 80 % central interval, in [0, 1].</summary>
    public double Coverage80 { get; init; }

    /// <summary>Coverage of the 95 % central interval, in [0, 1].</summary>
    public double Coverage95 { get; init; }

    /// <summary>Series scored.</summary>
    public int Series { get; init; }

    /// <summary>Forecast points scored.</summary>
    public long Points { get; init; }
}
