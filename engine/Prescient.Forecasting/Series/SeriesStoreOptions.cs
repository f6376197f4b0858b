namespace Prescient.Forecasting.Series;

/// <summary>One resolution of the <see cref="SeriesStore"/>: buckets of <paramref name="StepSeconds"/>, the newest <paramref name="Points"/> kept.</summary>
/// <param name="StepSeconds">Bucket width in seconds.</param>
/// <param name="Points">Buckets kept per series (ring length).</param>
public readonly record struct SeriesTier(int StepSeconds, int Points);

/// <summary>Configuration of the <see cref="SeriesStore"/>.</summary>
public sealed class SeriesStoreOptions
{
    /// <summary>
    /// Tiers, finest first. Default: 10 s × 360 (1 h), 1 min × 1,440 (1 day), 5 min × 2,016 (1 week), 1 h × 720 (30 days):
    /// 4,536 floats = 18,144 bytes per series, so 50,000 series take about 0.9 GB.
    /// </summary>
    public IReadOnlyList<SeriesTier> Tiers { get; set; } = [new(10, 360), new(60, 1440), new(300, 2016), new(3600, 720)];

    /// <summary>Throws <see cref="ArgumentException"/> unless tiers are non-empty, each step a multiple of the previous, points ≥ 1.</summary>
    public void Validate()
    {
        if (Tiers.Count == 0)
        {
            throw new ArgumentException("at least one tier is needed");
        }

        for (var i = 0; i < Tiers.Count; i++)
        {
            if (Tiers[i].StepSeconds <= 0 || Tiers[i].Points <= 0 || (i > 0 && Tiers[i].StepSeconds % Tiers[i - 1].StepSeconds != 0))
            {
                throw new ArgumentException($"tier {i}: step must be positive and a multiple of the previous tier's, points positive");
            }
        }
    }

    /// <summary>Bytes of ring storage per series.</summary>
    public long BytesPerSeries => Tiers.Sum(t => (long)t.Points) * sizeof(float);
}
