using ILGPU;

namespace Prescient.Kernels.Gpu;

/// <summary>
/// The ILGPU kernel. A thread owns hidden unit j of <see cref="SeriesPerThread"/> series; a group holds
/// SeriesPerGroup series (group size H × SeriesPerGroup / SeriesPerThread, so with H = 32 a warp is one hidden
/// layer of one series tile). Each series' z = [x; h] sits in shared memory, so the K reads of z are warp
/// broadcasts, and the weights are stored transposed (Wᵀ[k, g·H + j]) so that a warp reads consecutive addresses;
/// each weight a thread loads feeds <see cref="SeriesPerThread"/> series, which is what keeps the kernel off the
/// L1 load limit. c stays in registers and h in shared memory for all steps of a rollout; state goes back to
/// global memory once, at the end.
/// </summary>
internal static class RecurrentKernels
{
    /// <summary>Series each thread computes (register tile); SeriesPerGroup must be a multiple of it.</summary>
    public const int SeriesPerThread = 4;

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
        var lstm = shape.IsLstm != 0;
        var gh = lstm ? 4 * hidden : 3 * hidden;
        var tid = Group.IdxX;
        var j = tid % hidden;
        var tile = tid / hidden;
        var tiles = shape.SeriesPerGroup / SeriesPerThread;
        var inGroup = tile < tiles;
        var first = (Grid.IdxX * shape.SeriesPerGroup) + (tile * SeriesPerThread);

        // Local series s of this thread is first + s; zb_s is its row of z in shared memory.
        var zb0 = tile * SeriesPerThread * k;
        var zb1 = zb0 + k;
        var zb2 = zb1 + k;
        var zb3 = zb2 + k;
        var a0 = inGroup && first < n;
        var a1 = inGroup && first + 1 < n;
        var a2 = inGroup && first + 2 < n;
        var a3 = inGroup && first + 3 < n;
        long s0 = a0 ? ((long)slots[first] * hidden) + j : 0;
        long s1 = a1 ? ((long)slots[first + 1] * hidden) + j : 0;
        long s2 = a2 ? ((long)slots[first + 2] * hidden) + j : 0;
        long s3 = a3 ? ((long)slots[first + 3] * hidden) + j : 0;
        float h0 = 0, h1 = 0, h2 = 0, h3 = 0, c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        if (a0)
        {
            h0 = hState[s0];
            c0 = lstm ? cState[s0] : 0f;
        }

        if (a1)
        {
            h1 = hState[s1];
            c1 = lstm ? cState[s1] : 0f;
        }

        if (a2)
        {
            h2 = hState[s2];
            c2 = lstm ? cState[s2] : 0f;
        }

        if (a3)
        {
            h3 = hState[s3];
            c3 = lstm ? cState[s3] : 0f;
        }

        if (inGroup)
        {
            z[zb0 + f + j] = h0;
            z[zb1 + f + j] = h1;
            z[zb2 + f + j] = h2;
            z[zb3 + f + j] = h3;
        }

        for (var t = 0; t < shape.Steps; t++)
        {
            var row = ((long)t * n) + first;
            for (var q = j; q < f; q += hidden)
            {
                // Rows past the batch get zeros so that no garbage reaches the arithmetic.
                if (inGroup)
                {
                    z[zb0 + q] = a0 ? inputs[(row * f) + q] : 0f;
                    z[zb1 + q] = a1 ? inputs[((row + 1) * f) + q] : 0f;
                    z[zb2 + q] = a2 ? inputs[((row + 2) * f) + q] : 0f;
                    z[zb3 + q] = a3 ? inputs[((row + 3) * f) + q] : 0f;
                }
            }

            Group.Barrier();
            if (inGroup)
            {
                // Four gate sums (LSTM i, f, g, o; GRU r, z, n_x, n_h) for each of the four series.
                float p0 = bias[j], q0 = bias[hidden + j], r0 = bias[(2 * hidden) + j], u0 = bias[(3 * hidden) + j];
                float p1 = p0, q1 = q0, r1 = r0, u1 = u0;
                float p2 = p0, q2 = q0, r2 = r0, u2 = u0;
                float p3 = p0, q3 = q0, r3 = r0, u3 = u0;
                if (lstm)
                {
                    for (var q = 0; q < k; q++)
                    {
                        var w = q * gh;
                        var wi = weightsT[w + j];
                        var wf = weightsT[w + hidden + j];
                        var wg = weightsT[w + (2 * hidden) + j];
                        var wo = weightsT[w + (3 * hidden) + j];
                        var v0 = z[zb0 + q];
                        var v1 = z[zb1 + q];
                        var v2 = z[zb2 + q];
                        var v3 = z[zb3 + q];
                        p0 += wi * v0;
                        q0 += wf * v0;
                        r0 += wg * v0;
                        u0 += wo * v0;
                        p1 += wi * v1;
                        q1 += wf * v1;
                        r1 += wg * v1;
                        u1 += wo * v1;
                        p2 += wi * v2;
                        q2 += wf * v2;
                        r2 += wg * v2;
                        u2 += wo * v2;
                        p3 += wi * v3;
                        q3 += wf * v3;
                        r3 += wg * v3;
                        u3 += wo * v3;
                    }

                    h0 = LstmCell(p0, q0, r0, u0, ref c0);
                    h1 = LstmCell(p1, q1, r1, u1, ref c1);
                    h2 = LstmCell(p2, q2, r2, u2, ref c2);
                    h3 = LstmCell(p3, q3, r3, u3, ref c3);
                }
                else
                {
                    // x rows feed r, z and n_x; h rows feed r, z and n_h (n = tanh(n_x + r·n_h)).
                    for (var q = 0; q < f; q++)
                    {
                        var w = q * gh;
                        var wr = weightsT[w + j];
                        var wz = weightsT[w + hidden + j];
                        var wn = weightsT[w + (2 * hidden) + j];
                        var v0 = z[zb0 + q];
                        var v1 = z[zb1 + q];
                        var v2 = z[zb2 + q];
                        var v3 = z[zb3 + q];
                        p0 += wr * v0;
                        q0 += wz * v0;
                        r0 += wn * v0;
                        p1 += wr * v1;
                        q1 += wz * v1;
                        r1 += wn * v1;
                        p2 += wr * v2;
                        q2 += wz * v2;
                        r2 += wn * v2;
                        p3 += wr * v3;
                        q3 += wz * v3;
                        r3 += wn * v3;
                    }

                    for (var q = f; q < k; q++)
                    {
                        var w = q * gh;
                        var wr = weightsT[w + j];
                        var wz = weightsT[w + hidden + j];
                        var wn = weightsT[w + (2 * hidden) + j];
                        var v0 = z[zb0 + q];
                        var v1 = z[zb1 + q];
                        var v2 = z[zb2 + q];
                        var v3 = z[zb3 + q];
                        p0 += wr * v0;
                        q0 += wz * v0;
                        u0 += wn * v0;
                        p1 += wr * v1;
                        q1 += wz * v1;
                        u1 += wn * v1;
                        p2 += wr * v2;
                        q2 += wz * v2;
                        u2 += wn * v2;
                        p3 += wr * v3;
                        q3 += wz * v3;
                        u3 += wn * v3;
                    }

                    h0 = GruCell(p0, q0, r0, u0, h0);
                    h1 = GruCell(p1, q1, r1, u1, h1);
                    h2 = GruCell(p2, q2, r2, u2, h2);
                    h3 = GruCell(p3, q3, r3, u3, h3);
                }
            }

            // Every thread of the tile has read the old h before any writes the new one.
            Group.Barrier();
            if (inGroup)
            {
                z[zb0 + f + j] = h0;
                z[zb1 + f + j] = h1;
                z[zb2 + f + j] = h2;
                z[zb3 + f + j] = h3;
            }

            Group.Barrier();
            if (inGroup)
            {
                for (var o = j; o < outs; o += hidden)
                {
                    var b = headBias[o];
                    float y0 = b, y1 = b, y2 = b, y3 = b;
                    for (var q = 0; q < hidden; q++)
                    {
                        var w = headT[(q * outs) + o];
                        y0 += w * z[zb0 + f + q];
                        y1 += w * z[zb1 + f + q];
                        y2 += w * z[zb2 + f + q];
                        y3 += w * z[zb3 + f + q];
                    }

                    if (a0)
                    {
                        outputs[(row * outs) + o] = y0;
                    }

                    if (a1)
                    {
                        outputs[((row + 1) * outs) + o] = y1;
                    }

                    if (a2)
                    {
                        outputs[((row + 2) * outs) + o] = y2;
                    }

                    if (a3)
                    {
                        outputs[((row + 3) * outs) + o] = y3;
                    }
                }
            }
        }

        if (a0)
        {
            WriteState(hState, cState, s0, h0, c0, lstm);
        }

        if (a1)
        {
            WriteState(hState, cState, s1, h1, c1, lstm);
        }

        if (a2)
        {
            WriteState(hState, cState, s2, h2, c2, lstm);
        }

        if (a3)
        {
            WriteState(hState, cState, s3, h3, c3, lstm);
        }
    }

    /// <summary>c' = σ(f)·c + σ(i)·tanh(g); returns h' = σ(o)·tanh(c').</summary>
    private static float LstmCell(float i, float f, float g, float o, ref float c)
    {
        c = (Sigmoid(f) * c) + (Sigmoid(i) * Tanh(g));
        return Sigmoid(o) * Tanh(c);
    }

    /// <summary>h' = n + z·(h − n), n = tanh(n_x + r·n_h).</summary>
    private static float GruCell(float r, float u, float nx, float nh, float h)
    {
        var n = Tanh(nx + (Sigmoid(r) * nh));
        return n + (Sigmoid(u) * (h - n));
    }

    private static void WriteState(ArrayView<float> hState, ArrayView<float> cState, long index, float h, float c, bool lstm)
    {
        hState[index] = h;
        if (lstm)
        {
            cState[index] = c;
        }
    }

    private static float Sigmoid(float x) => 1f / (1f + Exp(-x));

    // tanh(x) = 1 − 2/(e^2x + 1): saturates cleanly at ±1 for large |x| without an overflow to NaN.
    private static float Tanh(float x) => 1f - (2f / (Exp(2f * x) + 1f));

    /// <summary>
    /// Cephes expf in plain arithmetic, so every backend compiles it (no libdevice or backend math intrinsic
    /// needed): e^x = 2^n·e^r with n = round(x·log2 e), e^r a degree-6 polynomial; about 1e-7 relative error.
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
