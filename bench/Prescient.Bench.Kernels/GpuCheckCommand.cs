using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Prescient.Kernels;

namespace Prescient.Bench.Kernels;

/// <summary>
/// <c>gpu-check --out DIR [--max-series N] [--skip-onnx]</c>: what bench/gpu/check.sh runs on a GPU machine.
/// 1. Probe: is a CUDA/OpenCL accelerator usable (the reason when not; exit code 3).
/// 2. Parity (the assertions of GpuParityTests plus subset steps and capacity growth): GPU vs CPU SIMD vs the scalar
///    reference, LSTM and GRU, H = 32 and 64, 12-step rollout; fails (exit code 4) above 1e-4.
/// 3. Timing: Step and 12-step Rollout end to end (upload inputs, kernel, download outputs) and device-resident
///    (kernel launches only, synchronised), N = 1k … 1M; the CPU SIMD path (and ONNX Runtime where its native
///    library is present) on the same host at N = 50k for comparison.
/// Writes summary.json and summary.txt to DIR. <c>--simulate</c> runs the same code on ILGPU's CPU simulator at
/// tiny sizes (<c>--hidden 8 --parity-series 64 --max-series 1000</c>) to test this runner on a machine without a GPU.
/// </summary>
internal static class GpuCheckCommand
{
    private const float Tolerance = 1e-4f;
    private static readonly StringBuilder Text = new();
    private static bool _simulate;
    private static int[] _hiddenSizes = [32, 64];
    private static int _paritySeries = 4096;
    private static string _outDir = ".";
    private static Dictionary<string, object?> _summary = [];

    public static int Run(string[] args)
    {
        var outDir = CompareCommand.Option(args, "--out", "gpu-check-out");
        var maxSeries = int.Parse(CompareCommand.Option(args, "--max-series", "1000000"), CultureInfo.InvariantCulture);
        var skipOnnx = Array.IndexOf(args, "--skip-onnx") >= 0;
        _simulate = Array.IndexOf(args, "--simulate") >= 0;
        _hiddenSizes = CompareCommand.Option(args, "--hidden", "32,64").Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        _paritySeries = int.Parse(CompareCommand.Option(args, "--parity-series", "4096"), CultureInfo.InvariantCulture);
        Directory.CreateDirectory(outDir);
        _outDir = outDir;
        var summary = _summary = new Dictionary<string, object?>
        {
            ["host"] = Environment.MachineName,
            ["os"] = RuntimeInformation.OSDescription,
            ["runtime"] = RuntimeInformation.FrameworkDescription,
            ["processorCount"] = Environment.ProcessorCount,
            ["startedUtc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        var exitCode = 0;
        try
        {
            exitCode = RunChecks(summary, maxSeries, skipOnnx);
        }
        catch (Exception ex)
        {
            summary["status"] = "error";
            summary["error"] = ex.ToString();
            Say($"ERROR: {ex}");
            exitCode = 5;
        }

        summary["finishedUtc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        Flush();
        return exitCode;
    }

    private static int RunChecks(Dictionary<string, object?> summary, int maxSeries, bool skipOnnx)
    {
        var probeSpec = new RecurrentModelSpec(RecurrentCellKind.Lstm, 1, 1, 1);
        var probeWatch = Stopwatch.StartNew();
        using (var probe = CreateTimed(probeSpec, new RecurrentWeights(probeSpec), 1, out var reason))
        {
            summary["probeSeconds"] = probeWatch.Elapsed.TotalSeconds;
            summary["selection"] = reason;
            Say($"probe ({probeWatch.Elapsed.TotalSeconds:F2} s): {reason}");
            if (probe is null)
            {
                summary["status"] = "no-gpu";
                Say("No usable GPU: the accelerator was refused or absent (see the reason above). Nothing else to check.");
                return 3;
            }

            summary["device"] = probe.DeviceName;
            summary["backend"] = probe.BackendName;
        }

        var parity = new List<Dictionary<string, object?>>();
        summary["parity"] = parity;
        var parityOk = true;
        foreach (var cell in new[] { RecurrentCellKind.Lstm, RecurrentCellKind.Gru })
        {
            foreach (var hidden in _hiddenSizes)
            {
                var result = Parity(cell, hidden);
                parity.Add(result);
                parityOk &= (bool)result["pass"]!;
            }
        }

        summary["parityPass"] = parityOk;

        var timing = new List<Dictionary<string, object?>>();
        summary["timing"] = timing;
        var sizes = new[] { 1_000, 10_000, 50_000, 200_000, 1_000_000 }.Where(n => n <= maxSeries).DefaultIfEmpty(maxSeries).ToArray();
        var largest = sizes.Max();
        var inputs = RecurrentWorkload.RandomValues(12L * largest * RecurrentWorkload.InputSize, new Random(3), 1f);
        var outputs = new float[12L * largest * RecurrentWorkload.OutputSize];
        var slots = new int[largest];
        foreach (var cell in new[] { RecurrentCellKind.Lstm, RecurrentCellKind.Gru })
        {
            foreach (var hidden in _hiddenSizes)
            {
                TimeGpu(cell, hidden, sizes, inputs, outputs, slots, timing);
            }
        }

        summary["cpuOnSameHost"] = TimeCpu(skipOnnx);
        summary["status"] = parityOk ? "pass" : "parity-failed";
        return parityOk ? 0 : 4;
    }

    private static Dictionary<string, object?> Parity(RecurrentCellKind cell, int hidden)
    {
        const int steps = 12;
        var series = _paritySeries;
        var spec = new RecurrentModelSpec(cell, RecurrentWorkload.InputSize, hidden, RecurrentWorkload.OutputSize);
        var weights = RecurrentWorkload.RandomWeights(spec, seed: 11);

        // Capacity 1024 so that allocating 4096 series exercises growth with resident state on the device.
        var capacity = Math.Max(1, series / 4);
        using var gpu = _simulate
            ? IlgpuRecurrentInference.CreateOnCpuSimulator(spec, weights, capacity)
            : RecurrentInferenceFactory.Create(spec, weights, capacity, KernelDevice.Gpu);
        using var cpu = new CpuRecurrentInference(spec, weights, capacity);
        using var reference = new ReferenceRecurrentInference(spec, weights, capacity);
        var slots = new int[series];
        var inputs = RecurrentWorkload.RandomValues((long)steps * series * spec.InputSize, new Random(5), 1f);
        var g = new float[steps * series * spec.OutputSize];
        var c = new float[g.Length];
        var r = new float[g.Length];
        for (var i = 0; i < series / 2; i++)
        {
            slots[i] = gpu.AllocateSeries();
            Require(cpu.AllocateSeries() == slots[i] && reference.AllocateSeries() == slots[i], "slot numbering differs between backends");
        }

        // Half the series take a few steps before the rest exist, then capacity grows under them.
        var half = slots.AsSpan(0, series / 2);
        var halfInputs = inputs.AsSpan(0, 3 * (series / 2) * spec.InputSize);
        var halfOutputs = new float[3 * (series / 2) * spec.OutputSize];
        gpu.Rollout(half, halfInputs, 3, halfOutputs);
        cpu.Rollout(half, halfInputs, 3, halfOutputs);
        reference.Rollout(half, halfInputs, 3, halfOutputs);
        for (var i = series / 2; i < series; i++)
        {
            slots[i] = gpu.AllocateSeries();
            Require(cpu.AllocateSeries() == slots[i] && reference.AllocateSeries() == slots[i], "slot numbering differs between backends");
        }

        // Reverse order, so the batch order differs from the storage order.
        Array.Reverse(slots);
        gpu.Rollout(slots, inputs, steps, g);
        cpu.Rollout(slots, inputs, steps, c);
        reference.Rollout(slots, inputs, steps, r);

        // A single step over every other series.
        var odd = Enumerable.Range(0, series / 2).Select(i => slots[(2 * i) + 1]).ToArray();
        var oddIn = inputs.AsSpan(0, odd.Length * spec.InputSize);
        var go = new float[odd.Length * spec.OutputSize];
        var co = new float[go.Length];
        var ro = new float[go.Length];
        gpu.Step(odd, oddIn, go);
        cpu.Step(odd, oddIn, co);
        reference.Step(odd, oddIn, ro);

        var gpuVsCpu = MathF.Max(MaxAbs(g, c), MaxAbs(go, co));
        var gpuVsRef = MathF.Max(MaxAbs(g, r), MaxAbs(go, ro));
        var cpuVsRef = MathF.Max(MaxAbs(c, r), MaxAbs(co, ro));
        float stateGpuCpu = 0, stateGpuRef = 0;
        float[] h1 = new float[hidden], c1 = new float[hidden], h2 = new float[hidden], c2 = new float[hidden], h3 = new float[hidden], c3 = new float[hidden];
        foreach (var s in slots)
        {
            gpu.ReadState(s, h1, c1);
            cpu.ReadState(s, h2, c2);
            reference.ReadState(s, h3, c3);
            stateGpuCpu = MathF.Max(stateGpuCpu, MathF.Max(MaxAbs(h1, h2), MaxAbs(c1, c2)));
            stateGpuRef = MathF.Max(stateGpuRef, MathF.Max(MaxAbs(h1, h3), MaxAbs(c1, c3)));
        }

        var onGpu = gpu.BackendName is "cuda" or "opencl" || (_simulate && gpu.BackendName == "ilgpu-cpu");
        var pass = onGpu && gpuVsCpu <= Tolerance && gpuVsRef <= Tolerance && stateGpuCpu <= Tolerance && stateGpuRef <= Tolerance && cpuVsRef <= 1e-5f;
        Say(
            $"parity {cell} H={hidden} N={series} steps={steps} on {gpu.BackendName}: max |gpu-cpu| out {gpuVsCpu:E2} state {stateGpuCpu:E2}; "
            + $"|gpu-ref| out {gpuVsRef:E2} state {stateGpuRef:E2}; |cpu-ref| {cpuVsRef:E2} -> {(pass ? "PASS" : "FAIL")}"
            + (onGpu ? string.Empty : $" (fell back: {gpu.SelectionReason})"));
        return new Dictionary<string, object?>
        {
            ["cell"] = cell.ToString(),
            ["hidden"] = hidden,
            ["series"] = series,
            ["steps"] = steps,
            ["backend"] = gpu.BackendName,
            ["maxAbsGpuVsCpuOutputs"] = gpuVsCpu,
            ["maxAbsGpuVsCpuState"] = stateGpuCpu,
            ["maxAbsGpuVsReferenceOutputs"] = gpuVsRef,
            ["maxAbsGpuVsReferenceState"] = stateGpuRef,
            ["maxAbsCpuVsReferenceOutputs"] = cpuVsRef,
            ["pass"] = pass,
        };
    }

    private static void TimeGpu(
        RecurrentCellKind cell, int hidden, int[] sizes, float[] inputs, float[] outputs, int[] slots, List<Dictionary<string, object?>> timing)
    {
        var spec = new RecurrentModelSpec(cell, RecurrentWorkload.InputSize, hidden, RecurrentWorkload.OutputSize);
        var largest = sizes.Max();
        using var gpu = CreateTimed(spec, RecurrentWorkload.RandomWeights(spec, seed: 2026), largest, out var reason)
            ?? throw new InvalidOperationException($"GPU disappeared: {reason}");
        for (var i = 0; i < largest; i++)
        {
            slots[i] = gpu.AllocateSeries();
        }

        foreach (var n in sizes)
        {
            var s = slots.AsSpan(0, n);
            var reps = _simulate ? 2 : n >= 200_000 ? 10 : 30;
            var stepIn = inputs.AsSpan(0, n * spec.InputSize);
            var stepOut = outputs.AsSpan(0, n * spec.OutputSize);
            var stepE2e = Median(reps, () => gpu.Step(slots.AsSpan(0, n), inputs.AsSpan(0, n * spec.InputSize), outputs.AsSpan(0, n * spec.OutputSize)));
            gpu.Step(s, stepIn, stepOut);
            var stepResident = gpu.MeasureResidentRolloutMilliseconds(n, 1, reps);
            var rollIn = inputs.AsSpan(0, 12 * n * spec.InputSize);
            var rollOut = outputs.AsSpan(0, 12 * n * spec.OutputSize);
            var rollE2e = Median(reps, () => gpu.Rollout(slots.AsSpan(0, n), inputs.AsSpan(0, 12 * n * spec.InputSize), 12, outputs.AsSpan(0, 12 * n * spec.OutputSize)));
            gpu.Rollout(s, rollIn, 12, rollOut);
            var rollResident = gpu.MeasureResidentRolloutMilliseconds(n, 12, reps);
            foreach (var v in rollOut[..Math.Min(rollOut.Length, 4096)])
            {
                Require(float.IsFinite(v), "non-finite GPU output");
            }

            Say(
                $"timing {gpu.BackendName} {cell} H={hidden} N={n}: step {stepE2e:F3} ms end-to-end, {stepResident:F3} ms resident; "
                + $"12-step rollout {rollE2e:F3} ms end-to-end, {rollResident:F3} ms resident");
            timing.Add(new Dictionary<string, object?>
            {
                ["backend"] = gpu.BackendName,
                ["cell"] = cell.ToString(),
                ["hidden"] = hidden,
                ["series"] = n,
                ["inputSize"] = spec.InputSize,
                ["outputSize"] = spec.OutputSize,
                ["stepEndToEndMs"] = stepE2e,
                ["stepResidentMs"] = stepResident,
                ["rollout12EndToEndMs"] = rollE2e,
                ["rollout12ResidentMs"] = rollResident,
                ["repetitions"] = reps,
            });
        }
    }

    private static List<Dictionary<string, object?>> TimeCpu(bool skipOnnx)
    {
        var results = new List<Dictionary<string, object?>>();
        var onnx = !skipOnnx && OnnxRuntimeAvailable();
        var series = _simulate ? 1000 : 50_000;
        foreach (var cell in new[] { RecurrentCellKind.Lstm, RecurrentCellKind.Gru })
        {
            using var w = new RecurrentWorkload(cell, series, 32, 1, withRival: onnx);
            var parity = onnx ? w.CheckParity() : float.NaN;
            var ours = Median(15, w.RunOurs);
            var rival = onnx ? Median(15, w.RunRival) : double.NaN;
            Say(
                $"host CPU {cell} H=32 N={series} step, {w.Threads} threads: cpu-simd {ours:F3} ms"
                + (onnx ? $", onnxruntime {rival:F3} ms, speed-up {rival / ours:F2}x, parity {parity:E2}" : ", onnxruntime not run"));
            results.Add(new Dictionary<string, object?>
            {
                ["cell"] = cell.ToString(),
                ["hidden"] = 32,
                ["series"] = series,
                ["threads"] = w.Threads,
                ["cpuSimdStepMs"] = ours,
                ["onnxRuntimeStepMs"] = onnx ? rival : null,
                ["parity"] = onnx ? parity : null,
            });
        }

        return results;
    }

    private static IlgpuRecurrentInference? CreateTimed(RecurrentModelSpec spec, RecurrentWeights weights, int capacity, out string reason)
    {
        if (!_simulate)
        {
            return IlgpuRecurrentInference.TryCreateGpu(spec, weights, capacity, out reason);
        }

        reason = "ILGPU CPU simulator (--simulate)";
        return IlgpuRecurrentInference.CreateOnCpuSimulator(spec, weights, capacity);
    }

    private static bool OnnxRuntimeAvailable()
    {
        var dir = AppContext.BaseDirectory;
        return File.Exists(Path.Combine(dir, "runtimes", "linux-x64", "native", "libonnxruntime.so"))
            || File.Exists(Path.Combine(dir, "libonnxruntime.so"));
    }

    private static double Median(int reps, Action action)
    {
        action();
        var times = new double[reps];
        for (var i = 0; i < reps; i++)
        {
            var w = Stopwatch.StartNew();
            action();
            times[i] = w.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return times[reps / 2];
    }

    private static float MaxAbs(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var max = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            var d = MathF.Abs(a[i] - b[i]);
            if (float.IsNaN(d))
            {
                return float.NaN;
            }

            max = MathF.Max(max, d);
        }

        return max;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }

    // Rewritten after every line, so a run cut off by a time limit still leaves what it measured.
    private static void Say(string line)
    {
        Console.WriteLine(line);
        Text.AppendLine(line);
        Flush();
    }

    private static void Flush()
    {
        File.WriteAllText(Path.Combine(_outDir, "summary.json"), JsonSerializer.Serialize(_summary, new JsonSerializerOptions { WriteIndented = true }));
        File.WriteAllText(Path.Combine(_outDir, "summary.txt"), Text.ToString());
    }
}
