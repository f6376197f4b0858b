namespace Prescient.Orchestration.Feedback;

/// <summary>
/// Forecast error at one horizon, over every scored (series, step) since start: errors are normalized by each
/// series' level (EWMA of |actual|) so that cores and GiB add up. A value type copied out of the tracker.
/// </summary>
public readonly record struct HorizonErrorStatistics(
    int HorizonSeconds,
    long Scored,
    double MeanNormalizedAbsoluteError,
    double MeanNormalizedPinball,
    double CoverageP90,
    double CoverageP99);
