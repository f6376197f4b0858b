using BenchmarkDotNet.Attributes;
using Prescient.Kernels;

namespace Prescient.Bench.Kernels;

/// <summary>
/// Our CPU SIMD path vs ONNX Runtime's LSTM/GRU operator, same weights, same inputs, same thread count, in the
/// same run. One invocation = every series advanced by <see cref="Steps"/> steps (1 = one step, 12 = a rollout).
/// Parity (≤ 1e-4) is checked in [GlobalSetup] before anything is timed. The parameter grid can be narrowed with
/// PRESCIENT_BENCH_SERIES, PRESCIENT_BENCH_HIDDEN, PRESCIENT_BENCH_CELL and PRESCIENT_BENCH_STEPS
/// (comma-separated), because the full grid takes long on a shared 2-core machine.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class RecurrentInferenceBenchmarks
{
    private RecurrentWorkload? _workload;

    [ParamsSource(nameof(CellValues))]
    public RecurrentCellKind Cell { get; set; }

    [ParamsSource(nameof(HiddenValues))]
    public int Hidden { get; set; }

    [ParamsSource(nameof(SeriesValues))]
    public int Series { get; set; }

    [ParamsSource(nameof(StepValues))]
    public int Steps { get; set; }

    public static IEnumerable<int> SeriesValues => Ints("PRESCIENT_BENCH_SERIES", [1_000, 10_000, 50_000, 200_000]);

    public static IEnumerable<int> HiddenValues => Ints("PRESCIENT_BENCH_HIDDEN", [32, 64]);

    public static IEnumerable<int> StepValues => Ints("PRESCIENT_BENCH_STEPS", [1, 12]);

    public static IEnumerable<RecurrentCellKind> CellValues =>
        Environment.GetEnvironmentVariable("PRESCIENT_BENCH_CELL") is { Length: > 0 } v
            ? v.Split(',').Select(s => Enum.Parse<RecurrentCellKind>(s.Trim(), ignoreCase: true)).ToArray()
            : [RecurrentCellKind.Lstm, RecurrentCellKind.Gru];

    [GlobalSetup]
    public void Setup()
    {
        _workload = new RecurrentWorkload(Cell, Series, Hidden, Steps);
        var error = _workload.CheckParity();
        Console.WriteLine($"// parity {Cell} N={Series} H={Hidden} steps={Steps}: max |ours - onnxruntime| = {error:E2}");
    }

    [GlobalCleanup]
    public void Cleanup() => _workload?.Dispose();

    [Benchmark(Baseline = true, Description = "prescient cpu-simd")]
    public void PrescientCpuSimd() => _workload!.RunOurs();

    [Benchmark(Description = "onnxruntime")]
    public void OnnxRuntime() => _workload!.RunRival();

    private static int[] Ints(string variable, int[] defaults) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } v
            ? v.Split(',').Select(s => int.Parse(s.Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToArray()
            : defaults;
}
