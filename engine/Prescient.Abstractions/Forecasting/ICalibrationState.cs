namespace Prescient.Abstractions.Forecasting;

/// <summary>
/// A forecaster whose per-series learned calibration — what the feedback loop taught it: member weights, conformal
/// offsets, residual scales — can be copied out and back, as a fixed number of floats per series. The orchestrator
/// keeps a checkpoint of it taken while the model was healthy (restored when the model degrades) and persists it
/// across restarts. The values are opaque to the caller; a series' own history (what it observed) is not part of it.
/// </summary>
public interface ICalibrationState
{
    /// <summary>Floats per series.</summary>
    int CalibrationLength { get; }

    /// <summary>Copies series <paramref name="series"/>'s calibration into <paramref name="destination"/> (length ≥ <see cref="CalibrationLength"/>). Allocates nothing.</summary>
    void ExportCalibration(int series, Span<float> destination);

    /// <summary>
    /// Replaces series <paramref name="series"/>'s calibration with <paramref name="source"/> (as exported by a forecaster
    /// of the same configuration); it applies from the series' next step. Non-finite values where the model keeps finite
    /// ones are refused with <see cref="ArgumentException"/>, leaving the series unchanged. Allocates nothing.
    /// </summary>
    void ImportCalibration(int series, ReadOnlySpan<float> source);
}
