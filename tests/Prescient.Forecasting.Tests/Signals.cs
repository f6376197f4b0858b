namespace Prescient.Forecasting.Tests;

/// <summary>Deterministic test signals.</summary>
internal static class Signals
{
    /// <summary>A daily sine around <paramref name="level"/> with Gaussian noise of <paramref name="noise"/>, 5-minute steps.</summary>
    public static double[] Diurnal(int steps, double level, double amplitude, double noise, int seed)
    {
        var rng = new Random(seed);
        var v = new double[steps];
        for (var t = 0; t < steps; t++)
        {
            var g = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            v[t] = Math.Max(0, level + (amplitude * Math.Sin(2 * Math.PI * t / 288.0)) + (noise * g));
        }

        return v;
    }
}
