using Prescient.Kernels;

namespace Prescient.Kernels.Tests;

/// <summary>Seeded random models and inputs shared by the backend tests.</summary>
internal static class RecurrentTestData
{
    public static RecurrentWeights RandomWeights(RecurrentModelSpec spec, int seed, float scale = 0.5f)
    {
        var random = new Random(seed);
        var w = new RecurrentWeights(spec);
        Fill(w.InputWeights, random, scale);
        Fill(w.HiddenWeights, random, scale);
        Fill(w.InputBias, random, scale);
        Fill(w.HiddenBias, random, scale);
        Fill(w.HeadWeights, random, scale);
        Fill(w.HeadBias, random, scale);
        return w;
    }

    public static float[] RandomInputs(int count, int seed, float scale = 1.5f)
    {
        var values = new float[count];
        Fill(values, new Random(seed), scale);
        return values;
    }

    public static void Fill(float[] values, Random random, float scale)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(((random.NextDouble() * 2.0) - 1.0) * scale);
        }
    }

    public static float MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        var max = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            max = MathF.Max(max, MathF.Abs(a[i] - b[i]));
        }

        return max;
    }

    /// <summary>Largest state difference over the given slots, h and (LSTM) c.</summary>
    public static float MaxStateDifference(IRecurrentInference a, IRecurrentInference b, ReadOnlySpan<int> slotsA, ReadOnlySpan<int> slotsB)
    {
        var hidden = a.Spec.HiddenSize;
        float[] ha = new float[hidden], ca = new float[hidden], hb = new float[hidden], cb = new float[hidden];
        var max = 0f;
        for (var i = 0; i < slotsA.Length; i++)
        {
            a.ReadState(slotsA[i], ha, ca);
            b.ReadState(slotsB[i], hb, cb);
            max = MathF.Max(max, MaxAbsDifference(ha, hb));
            if (a.Spec.Cell == RecurrentCellKind.Lstm)
            {
                max = MathF.Max(max, MaxAbsDifference(ca, cb));
            }
        }

        return max;
    }
}
