namespace Prescient.Forecasting.Load;

/// <content>Survival curves of run times and waits: log-spaced bins from 1 s to 10⁸ s, linear within a bin.</content>
public sealed partial class LoadForecaster
{
    private static readonly double LogSpan = Math.Log(MaxRuntime / MinRuntime);

    /// <summary>
    /// Seconds left for something that has lasted <paramref name="ageSeconds"/>, drawn from <paramref name="s"/>
    /// conditional on the age: the t with S(age + t) = u·S(age). Past the last learned duration (S(age) = 0) the
    /// tail is taken as Pareto with index 1, P(T &gt; age + t | T &gt; age) = age/(age + t).
    /// </summary>
    private static double SampleRemaining(double[] s, double ageSeconds, double u)
    {
        var sa = Survival(s, ageSeconds);
        if (sa <= 1e-12)
        {
            var a = Math.Max(ageSeconds, MinRuntime);
            return a * ((1 / Math.Max(u, 1e-9)) - 1);
        }

        return Math.Max(0, InverseSurvival(s, u * sa) - ageSeconds);
    }

    /// <summary>The smallest duration x with S(x) ≤ <paramref name="v"/> (S non-increasing, piecewise linear in the bin index).</summary>
    private static double InverseSurvival(double[] s, double v)
    {
        for (var b = 0; b < RuntimeBins; b++)
        {
            if (s[b + 1] <= v)
            {
                var drop = s[b] - s[b + 1];
                var frac = drop > 0 ? Math.Clamp((s[b] - v) / drop, 0, 1) : 0;
                return MinRuntime * Math.Exp((b + frac) / RuntimeBins * LogSpan);
            }
        }

        return MaxRuntime;
    }

    private static int Bin(double seconds)
    {
        var x = Math.Log(Math.Max(seconds, MinRuntime) / MinRuntime) / LogSpan;
        return Math.Clamp((int)(x * RuntimeBins), 0, RuntimeBins);
    }

    private static void BuildSurvival(IEnumerable<long> durations, double[] survival)
    {
        // survival[b] = P(T ≥ start of bin b), log-spaced bins; interpolated in Survival().
        var counts = new double[RuntimeBins + 1];
        var n = 0;
        foreach (var r in durations)
        {
            counts[Bin(r)]++;
            n++;
        }

        var above = (double)n;
        for (var b = 0; b <= RuntimeBins; b++)
        {
            survival[b] = above / Math.Max(1, n);
            above -= counts[b];
        }
    }

    private static double Survival(double[] s, double seconds)
    {
        var x = Math.Log(Math.Max(seconds, MinRuntime) / MinRuntime) / LogSpan * RuntimeBins;
        var b = Math.Clamp((int)x, 0, RuntimeBins - 1);
        var frac = Math.Clamp(x - b, 0, 1);
        return (s[b] * (1 - frac)) + (s[b + 1] * frac);
    }
}
