using System.Globalization;

namespace Prescient.Abstractions.Forecasting;

/// <summary>
/// What a forecaster produces for each series: values at <see cref="HorizonSteps"/> steps of
/// <see cref="StepSeconds"/> after the series' last observation, each at every level of <see cref="Quantiles"/>.
/// A forecast for one series is <see cref="Width"/> numbers laid out horizon-major:
/// <c>[h * Quantiles.Length + q]</c>. Immutable and thread-safe.
/// </summary>
public sealed class ForecastShape
{
    /// <summary>The default quantile levels served by <c>GetForecast</c>: 0.5, 0.8, 0.9, 0.95, 0.99.</summary>
    public static readonly double[] DefaultQuantiles = [0.5, 0.8, 0.9, 0.95, 0.99];

    /// <summary>
    /// The levels used for evaluation: the defaults plus the lower and upper ends of the 80 % and 95 % central
    /// intervals (0.025, 0.1, 0.975).
    /// </summary>
    public static readonly double[] EvaluationQuantiles = [0.025, 0.1, 0.5, 0.8, 0.9, 0.95, 0.975, 0.99];

    /// <summary>The default horizons in seconds: 1 min, 5 min, 1 h.</summary>
    public static readonly int[] DefaultHorizonSeconds = [60, 300, 3600];

    private readonly int[] _horizonSteps;
    private readonly double[] _quantiles;

    /// <summary>Creates a shape; throws <see cref="ArgumentException"/> on an invalid one.</summary>
    /// <param name="stepSeconds">Seconds between consecutive observations of a series; positive.</param>
    /// <param name="horizonSteps">Horizons in steps, strictly increasing, each ≥ 1.</param>
    /// <param name="quantiles">Quantile levels, strictly increasing, each in (0, 1).</param>
    public ForecastShape(int stepSeconds, ReadOnlySpan<int> horizonSteps, ReadOnlySpan<double> quantiles)
    {
        if (stepSeconds <= 0)
        {
            throw new ArgumentException($"step must be positive, got {stepSeconds} s", nameof(stepSeconds));
        }

        if (horizonSteps.IsEmpty || quantiles.IsEmpty)
        {
            throw new ArgumentException("a forecast shape needs at least one horizon and one quantile");
        }

        for (var i = 0; i < horizonSteps.Length; i++)
        {
            if (horizonSteps[i] < 1 || (i > 0 && horizonSteps[i] <= horizonSteps[i - 1]))
            {
                throw new ArgumentException("horizons must be ≥ 1 step and strictly increasing", nameof(horizonSteps));
            }
        }

        for (var i = 0; i < quantiles.Length; i++)
        {
            if (!(quantiles[i] > 0 && quantiles[i] < 1) || (i > 0 && quantiles[i] <= quantiles[i - 1]))
            {
                throw new ArgumentException("quantiles must lie in (0, 1) and be strictly increasing", nameof(quantiles));
            }
        }

        StepSeconds = stepSeconds;
        _horizonSteps = horizonSteps.ToArray();
        _quantiles = quantiles.ToArray();
    }

    /// <summary>Seconds per step.</summary>
    public int StepSeconds { get; }

    /// <summary>Horizons in steps, strictly increasing.</summary>
    public ReadOnlySpan<int> HorizonSteps => _horizonSteps;

    /// <summary>Quantile levels, strictly increasing.</summary>
    public ReadOnlySpan<double> Quantiles => _quantiles;

    /// <summary>Number of horizons.</summary>
    public int HorizonCount => _horizonSteps.Length;

    /// <summary>Number of quantile levels.</summary>
    public int QuantileCount => _quantiles.Length;

    /// <summary>Numbers per series: <see cref="HorizonCount"/> × <see cref="QuantileCount"/>.</summary>
    public int Width => _horizonSteps.Length * _quantiles.Length;

    /// <summary>The longest horizon in steps.</summary>
    public int MaxHorizonSteps => _horizonSteps[^1];

    /// <summary>Horizon <paramref name="h"/> in seconds.</summary>
    public int HorizonSeconds(int h) => _horizonSteps[h] * StepSeconds;

    /// <summary>Index of the level equal to <paramref name="quantile"/> (within 1e-9), or -1.</summary>
    public int IndexOfQuantile(double quantile)
    {
        for (var i = 0; i < _quantiles.Length; i++)
        {
            if (Math.Abs(_quantiles[i] - quantile) < 1e-9)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// A shape for series stepped every <paramref name="stepSeconds"/>: each horizon in seconds is rounded to whole
    /// steps; horizons shorter than one step are dropped (the trace's step bounds the shortest horizon).
    /// Throws <see cref="ArgumentException"/> when no horizon remains.
    /// </summary>
    public static ForecastShape ForStep(int stepSeconds, ReadOnlySpan<int> horizonSeconds, ReadOnlySpan<double> quantiles)
    {
        var steps = new List<int>();
        foreach (var seconds in horizonSeconds)
        {
            if (seconds < stepSeconds)
            {
                continue;
            }

            var s = (int)Math.Round(seconds / (double)stepSeconds);
            if (steps.Count == 0 || s > steps[^1])
            {
                steps.Add(s);
            }
        }

        if (steps.Count == 0)
        {
            throw new ArgumentException($"no horizon is at least one step ({stepSeconds} s) long", nameof(horizonSeconds));
        }

        return new ForecastShape(stepSeconds, steps.ToArray(), quantiles);
    }

    /// <summary>Formats a horizon in seconds the way configuration and JSON write it: <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>.</summary>
    public static string FormatDuration(int seconds)
    {
        if (seconds % 86400 == 0)
        {
            return (seconds / 86400).ToString(CultureInfo.InvariantCulture) + "d";
        }

        if (seconds % 3600 == 0)
        {
            return (seconds / 3600).ToString(CultureInfo.InvariantCulture) + "h";
        }

        return seconds % 60 == 0
            ? (seconds / 60).ToString(CultureInfo.InvariantCulture) + "m"
            : seconds.ToString(CultureInfo.InvariantCulture) + "s";
    }

    /// <summary>Parses <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>2d</c> (or a bare number of seconds); false when malformed or not positive.</summary>
    public static bool TryParseDuration(string text, out int seconds)
    {
        seconds = 0;
        text = text.Trim();
        if (text.Length == 0)
        {
            return false;
        }

        var unit = 1;
        var digits = text;
        switch (char.ToLowerInvariant(text[^1]))
        {
            case 's': unit = 1; digits = text[..^1]; break;
            case 'm': unit = 60; digits = text[..^1]; break;
            case 'h': unit = 3600; digits = text[..^1]; break;
            case 'd': unit = 86400; digits = text[..^1]; break;
        }

        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0 || n > int.MaxValue / unit)
        {
            return false;
        }

        seconds = n * unit;
        return true;
    }
}
