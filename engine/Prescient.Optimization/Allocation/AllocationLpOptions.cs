namespace Prescient.Optimization.Allocation;

/// <summary>
/// Weights of the allocation LP's objective. The utility of covering demand is piecewise linear and
/// concave: per unit, <see cref="MedianBandWeight"/> up to the median, <see cref="P90BandWeight"/> up to the
/// 0.9 quantile, <see cref="P99BandWeight"/> up to the 0.99 quantile and nothing beyond, times the job's
/// priority, divided by the resource's reference capacity (the largest node capacity) so that resources with
/// different units weigh alike. Each unit of change from the current allocation costs <see cref="ChangeCost"/>
/// (same normalization, no priority).
/// </summary>
public sealed class AllocationLpOptions
{
    public double MedianBandWeight { get; set; } = 1.0;

    public double P90BandWeight { get; set; } = 0.5;

    public double P99BandWeight { get; set; } = 0.25;

    public double ChangeCost { get; set; } = 0.02;

    public void Validate()
    {
        if (!(MedianBandWeight >= P90BandWeight && P90BandWeight >= P99BandWeight && P99BandWeight >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(MedianBandWeight), "band weights must satisfy median ≥ p90 ≥ p99 ≥ 0 (concave utility)");
        }

        if (!(ChangeCost >= 0) || !double.IsFinite(ChangeCost))
        {
            throw new ArgumentOutOfRangeException(nameof(ChangeCost), ChangeCost, "change cost must be finite and ≥ 0");
        }
    }
}
