using ILGPU;

namespace Prescient.Kernels.Gpu;

/// <summary>
/// The ILGPU kernel. One thread per (series, hidden unit j); a group holds SeriesPerGroup whole series
/// (SeriesPerGroup·H threads, so with H = 32 a warp is one series). Each series' z = [x; h] sits in shared memory,
/// so the K reads of z are broadcasts, and the weights are stored transposed (Wᵀ[k, g·H + j]) so that the H
/// threads of a series read consecutive addresses. c stays in a register and h in shared memory for all steps of
/// a rollout; state goes back to global memory once, at the end.
/// </summary>
internal static class RecurrentKernels
{
    /// <summary>
    /// Runs <c>shape.Steps</c> steps for <c>shape.BatchSeries</c> series.
    /// inputs: steps × n × F; outputs: steps × n × O; hState/cState: capacity × H (series-major);
    /// weightsT: (F + H) × G·H; bias: 4H (LSTM b_ih + b_hh; GRU r, z summed, then b_in, then b_hn);
    /// headT: H × O; headBias: O. Dynamic shared memory: SeriesPerGroup × (F + H) floats.
    /// </summary>
    public static void Rollout(
        ArrayView<int> slots,
        ArrayView<float> inputs,
        ArrayView<float> outputs,
        ArrayView<float> hState,
        ArrayView<float> cState,
        ArrayView<float> weightsT,
        ArrayView<float> bias,
        ArrayView<float> headT,
        ArrayView<float> headBias,
        RecurrentKernelShape shape)
    {
        var z = SharedMemory.GetDynamic<float>();
        int f = shape.InputSize, hidden = shape.HiddenSize, outs = shape.OutputSize, n = shape.BatchSeries;
        var k = f + hidden;
        var gh = shape.IsLstm != 0 ? 4 * hidden : 3 * hidden;
        var tid = Group.IdxX;
        var j = tid % hidden;
        var local = tid / hidden;
        var series = (Grid.IdxX * shape.SeriesPerGroup) + local;
        var active = local < shape.SeriesPerGroup && series < n;
        var zBase = local * k;
        var stateIndex = 0L;
        var c = 0f;
        var h = 0f;
        if (active)
        {
            stateIndex = ((long)slots[series] * hidden) + j;
            h = hState[stateIndex];
            if (shape.IsLstm != 0)
            {
                c = cState[stateIndex];
            }

            z[zBase + f + j] = h;
        }

        for (var t = 0; t < shape.Steps; t++)
        {
            if (active)
            {
                var row = (((long)t * n) + series) * f;
                for (var q = j; q < f; q += hidden)
                {
                    z[zBase + q] = inputs[row + q];
                }
            }

            Group.Barrier();
            if (active)
            {
                if (shape.IsLstm != 0)
                {
                    var gi = bias[j];
                    var gf = bias[hidden + j];
                    var gg = bias[(2 * hidden) + j];
                    var go = bias[(3 * hidden) + j];
                    for (var q = 0; q < k; q++)
                    {
                        var v = z[zBase + q];
                        var w = q * gh;
                        gi += weightsT[w + j] * v;
                        gf += weightsT[w + hidden + j] * v;
                        gg += weightsT[w + (2 * hidden) + j] * v;
                        go += weightsT[w + (3 * hidden) + j] * v;
                    }

                    c = (Sigmoid(gf) * c) + (Sigmoid(gi) * Tanh(gg));
                    h = Sigmoid(go) * Tanh(c);
                }
                else
                {
                    var gr = bias[j];
                    var gz = bias[hidden + j];
                    var nx = bias[(2 * hidden) + j];
                    var nh = bias[(3 * hidden) + j];
                    for (var q = 0; q < f; q++)
                    {
                        var v = z[zBase + q];
                        var w = q * gh;
                        gr += weightsT[w + j] * v;
                        gz += weightsT[w + hidden + j] * v;
                        nx += weightsT[w + (2 * hidden) + j] * v;
                    }

                    for (var q = f; q < k; q++)
                    {
                        var v = z[zBase + q];
                        var w = q * gh;
                        gr += weightsT[w + j] * v;
                        gz += weightsT[w + hidden + j] * v;
                        nh += weightsT[w + (2 * hidden) + j] * v;
                    }

                    var r = Sigmoid(gr);
                    var u = Sigmoid(gz);
                    var nn = Tanh(nx + (r * nh));
                    h = nn + (u * (h - nn));
                }
            }

            // Every thread of the series has read the old h before any writes the new one.
            Group.Barrier();
            if (active)
            {
                z[zBase + f + j] = h;
            }

            Group.Barrier();
            if (active)
            {
                var row = (((long)t * n) + series) * outs;
                for (var o = j; o < outs; o += hidden)
                {
                    var y = headBias[o];
                    for (var q = 0; q < hidden; q++)
                    {
                        y += headT[(q * outs) + o] * z[zBase + f + q];
                    }

                    outputs[row + o] = y;
                }
            }
        }

        if (active)
        {
            hState[stateIndex] = h;
            if (shape.IsLstm != 0)
            {
                cState[stateIndex] = c;
            }
        }
    }

    private static float Sigmoid(float x) => 1f / (1f + Exp(-x));

    // tanh(x) = 1 − 2/(e^2x + 1): saturates cleanly at ±1 for large |x| without an overflow to NaN.
    private static float Tanh(float x) => 1f - (2f / (Exp(2f * x) + 1f));

    /// <summary>
    /// The same Cephes expf as the CPU path, in plain arithmetic: every backend compiles it (no libdevice or
    /// backend math intrinsic needed) and CPU and GPU round alike. e^x = 2^n·e^r, n = round(x·log2 e).
    /// </summary>
    private static float Exp(float x)
    {
        x = x < -87.3f ? -87.3f : x > 88.3f ? 88.3f : x;
        var t = (x * 1.44269504088896341f) + 0.5f;
        var n = (int)t;
        if (n > t)
        {
            n--;
        }

        var r = x - (n * 0.693359375f) + (n * 2.12194440e-4f);
        var p = 1.9875691500e-4f;
        p = (p * r) + 1.3981999507e-3f;
        p = (p * r) + 8.3334519073e-3f;
        p = (p * r) + 4.1665795894e-2f;
        p = (p * r) + 1.6666665459e-1f;
        p = (p * r) + 5.0000001201e-1f;
        p = (p * r * r) + r + 1f;
        return p * Interop.IntAsFloat((uint)((n + 127) << 23));
    }
}
