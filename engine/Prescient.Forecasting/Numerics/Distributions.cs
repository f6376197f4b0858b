namespace Prescient.Forecasting.Numerics;

/// <summary>Quantile functions of the normal and Student-t distributions.</summary>
public static class Distributions
{
    /// <summary>
    /// Inverse of the standard normal CDF (Acklam's rational approximation, relative error below 1.2e-9).
    /// <paramref name="p"/> in (0, 1); ±∞ at the ends.
    /// </summary>
    public static double NormalQuantile(double p)
    {
        if (p <= 0)
        {
            return double.NegativeInfinity;
        }

        if (p >= 1)
        {
            return double.PositiveInfinity;
        }

        const double a1 = -3.969683028665376e+01, a2 = 2.209460984245205e+02, a3 = -2.759285104469687e+02;
        const double a4 = 1.383577518672690e+02, a5 = -3.066479806614716e+01, a6 = 2.506628277459239e+00;
        const double b1 = -5.447609879822406e+01, b2 = 1.615858368580409e+02, b3 = -1.556989798598866e+02;
        const double b4 = 6.680131188771972e+01, b5 = -1.328068155288572e+01;
        const double c1 = -7.784894002430293e-03, c2 = -3.223964580411365e-01, c3 = -2.400758277161838e+00;
        const double c4 = -2.549732539343734e+00, c5 = 4.374664141464968e+00, c6 = 2.938163982698783e+00;
        const double d1 = 7.784695709041462e-03, d2 = 3.224671290700398e-01, d3 = 2.445134137142996e+00, d4 = 3.754408661907416e+00;
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) / ((((d1 * q + d2) * q + d3) * q + d4) * q + 1);
        }

        if (p > 1 - low)
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            return -(((((c1 * q + c2) * q + c3) * q + c4) * q + c5) * q + c6) / ((((d1 * q + d2) * q + d3) * q + d4) * q + 1);
        }

        var r = p - 0.5;
        var s = r * r;
        return (((((a1 * s + a2) * s + a3) * s + a4) * s + a5) * s + a6) * r / (((((b1 * s + b2) * s + b3) * s + b4) * s + b5) * s + 1);
    }

    /// <summary>The standard normal quantile of each of <paramref name="levels"/>.</summary>
    public static double[] NormalQuantiles(ReadOnlySpan<double> levels)
    {
        var z = new double[levels.Length];
        for (var i = 0; i < z.Length; i++)
        {
            z[i] = NormalQuantile(levels[i]);
        }

        return z;
    }

    /// <summary>
    /// Quantile of Student's t with <paramref name="nu"/> degrees of freedom from the normal quantile z by the
    /// Cornish–Fisher expansion (Abramowitz &amp; Stegun 26.7.5); accurate to about 1e-3 for ν ≥ 3, which is
    /// where the Bayesian models operate after a few observations (ν is floored at 3).
    /// </summary>
    public static double StudentTQuantile(double p, double nu) => StudentTQuantileOfNormal(NormalQuantile(p), nu);

    /// <summary>
    /// <see cref="StudentTQuantile"/> from the normal quantile <paramref name="z"/> of the same level (for callers
    /// that evaluate the same levels at many ν: the normal quantile is computed once).
    /// </summary>
    public static double StudentTQuantileOfNormal(double z, double nu)
    {
        nu = Math.Max(nu, 3);
        var z2 = z * z;
        var g1 = (z2 + 1) * z / 4;
        var g2 = (((5 * z2) + 16) * z2 + 3) * z / 96;
        var g3 = ((((3 * z2) + 19) * z2 + 17) * z2 - 15) * z / 384;
        return z + (g1 / nu) + (g2 / (nu * nu)) + (g3 / (nu * nu * nu));
    }
}
