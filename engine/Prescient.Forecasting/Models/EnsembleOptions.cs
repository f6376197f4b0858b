namespace Prescient.Forecasting.Models;

/// <summary>Tuning of <see cref="EnsembleForecaster"/>; defaults were tuned on Bitbrains 2013-7 only.</summary>
public sealed class EnsembleOptions
{
    /// <summary>Per-step decay of each member's exponentially weighted absolute error (0.02 ≈ a 50-step memory).</summary>
    public double LossDecay { get; set; } = 0.02;

    /// <summary>Softmax sharpness over relative losses: w_m ∝ exp(−Sharpness · (L_m / L_best − 1)).</summary>
    public double Sharpness { get; set; } = 8;

    /// <summary>Per-step decay of the local residual scale σ (mean absolute residual of the combined median).</summary>
    public double ScaleDecay { get; set; } = 0.05;

    /// <summary>Step size of the conformal quantile trackers, in units of σ.</summary>
    public double ConformalStep { get; set; } = 0.5;

    /// <summary>Step of the median's tracker as a fraction of <see cref="ConformalStep"/>.</summary>
    public double MedianStepFraction { get; set; } = 0.04;

    /// <summary>Per-step decay of each source's exponentially weighted pinball loss per quantile level.</summary>
    public double QuantileLossDecay { get; set; } = 0.01;

    /// <summary>Softmax sharpness of the per-quantile combination.</summary>
    public double QuantileSharpness { get; set; } = 8;

    /// <summary>Step of the second-stage (served) trackers as a fraction of <see cref="ConformalStep"/>.</summary>
    public double SecondStageStepFraction { get; set; } = 0.5;

    /// <summary>Pseudo-count of the hierarchical prior: a series' own calibration weighs n/(n + PriorSteps) (72 = 6 h of 5-min steps).</summary>
    public double PriorSteps { get; set; } = 72;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> on a value out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(LossDecay);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(LossDecay, 1.0);
        ArgumentOutOfRangeException.ThrowIfNegative(Sharpness);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ScaleDecay);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ScaleDecay, 1.0);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ConformalStep);
        ArgumentOutOfRangeException.ThrowIfNegative(PriorSteps);
    }
}
