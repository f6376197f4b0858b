using System.Runtime.Intrinsics;
using Prescient.Kernels.Cpu;

namespace Prescient.Kernels.Tests;

public sealed class SimdMathTests
{
    private static IEnumerable<float> Grid()
    {
        for (var x = -20.0; x <= 20.0; x += 0.00137)
        {
            yield return (float)x;
        }

        foreach (var x in new[] { 0f, -0f, 1e-30f, -1e-30f, 1e-4f, 87f, -87f, 100f, -100f, 1e30f, -1e30f, float.MaxValue, float.MinValue })
        {
            yield return x;
        }
    }

    [Fact]
    public void SigmoidAndTanh_WholeLine_WithinTwoMillionthsOfDouble()
    {
        double sigmoidError = 0, tanhError = 0;
        foreach (var x in Grid())
        {
            var v = Vector256.Create(x);
            var s = SimdMath.Sigmoid(v).GetElement(3);
            var t = SimdMath.Tanh(v).GetElement(5);
            sigmoidError = Math.Max(sigmoidError, Math.Abs(s - (1.0 / (1.0 + Math.Exp(-(double)x)))));
            tanhError = Math.Max(tanhError, Math.Abs(t - Math.Tanh(x)));
        }

        Assert.True(sigmoidError < 2e-6, $"sigmoid max error {sigmoidError:E2}");
        Assert.True(tanhError < 2e-6, $"tanh max error {tanhError:E2}");
    }
}
