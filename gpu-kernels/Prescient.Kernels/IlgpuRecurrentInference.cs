using System.Diagnostics;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using Prescient.Kernels.Gpu;

namespace Prescient.Kernels;

/// <summary>
/// The ILGPU path ("cuda", "opencl", or "ilgpu-cpu" on ILGPU's CPU simulator for tests). State (h, c) lives in
/// device buffers sized capacity × H, series-major; a call uploads the slot list and inputs, runs one fused kernel
/// for all steps, and downloads the outputs. Buffers grow geometrically and are reused, so steady-state calls
/// allocate nothing on the managed heap.
/// </summary>
public sealed class IlgpuRecurrentInference : RecurrentInferenceBase
{
    private const int TargetGroupThreads = 256;

    private static volatile string? _noDeviceReason;

    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly Action<KernelConfig, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
        ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, RecurrentKernelShape> _kernel;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _weightsT;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _bias;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _headT;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _headBias;
    private readonly float[] _hostWeightsT;
    private readonly float[] _hostBias;
    private readonly float[] _hostHeadT;
    private readonly float[] _zeroState;
    private readonly int _seriesPerGroup;
    private readonly string _backendName;
    private MemoryBuffer1D<float, Stride1D.Dense> _h;
    private MemoryBuffer1D<float, Stride1D.Dense> _c;
    private MemoryBuffer1D<int, Stride1D.Dense>? _slots;
    private MemoryBuffer1D<float, Stride1D.Dense>? _inputs;
    private MemoryBuffer1D<float, Stride1D.Dense>? _outputs;

    private IlgpuRecurrentInference(
        Context context, Accelerator accelerator, string backendName, RecurrentModelSpec spec, RecurrentWeights weights, int initialCapacity)
        : base(spec, initialCapacity)
    {
        _context = context;
        _accelerator = accelerator;
        _backendName = backendName;
        int hidden = spec.HiddenSize, rows = spec.InputSize + hidden;
        if (hidden > accelerator.MaxNumThreadsPerGroup)
        {
            throw new NotSupportedException(
                $"H = {hidden} exceeds the {accelerator.MaxNumThreadsPerGroup} threads per group of {accelerator.Name}; the GPU kernel maps one thread per hidden unit.");
        }

        // A group is H threads per tile of RecurrentKernels.SeriesPerThread series, about 256 threads in all,
        // fewer tiles where shared memory (one row of F + H floats per series) would not fit.
        var perThread = RecurrentKernels.SeriesPerThread;
        var tiles = Math.Max(1, Math.Min(TargetGroupThreads, accelerator.MaxNumThreadsPerGroup) / hidden);
        var rowBytes = (long)rows * sizeof(float) * perThread;
        if (rowBytes > accelerator.MaxSharedMemoryPerGroup)
        {
            throw new NotSupportedException(
                $"{perThread} × (F + H) = {perThread * rows} floats exceed the shared memory per group of {accelerator.Name}.");
        }

        tiles = (int)Math.Min(tiles, accelerator.MaxSharedMemoryPerGroup / rowBytes);
        _seriesPerGroup = tiles * perThread;
        _kernel = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, RecurrentKernelShape>(RecurrentKernels.Rollout);
        _hostWeightsT = new float[rows * spec.GateRows];
        _hostBias = new float[4 * hidden];
        _hostHeadT = new float[hidden * spec.OutputSize];
        _zeroState = new float[hidden];
        _weightsT = accelerator.Allocate1D<float>(_hostWeightsT.Length);
        _bias = accelerator.Allocate1D<float>(_hostBias.Length);
        _headT = accelerator.Allocate1D<float>(_hostHeadT.Length);
        _headBias = accelerator.Allocate1D<float>(spec.OutputSize);
        _h = accelerator.Allocate1D<float>((long)initialCapacity * hidden);
        _c = accelerator.Allocate1D<float>((long)initialCapacity * hidden);
        _h.MemSetToZero();
        _c.MemSetToZero();
        weights.ValidateFor(spec);
        LoadWeightsCore(weights);
        SelectionReason = $"{accelerator.AcceleratorType} accelerator {accelerator.Name}";
    }

    /// <inheritdoc />
    public override string BackendName => _backendName;

    /// <summary>The device name ILGPU reports.</summary>
    public string DeviceName => _accelerator.Name;

    /// <summary>Series handled by one thread group (group size = H × this / RecurrentKernels.SeriesPerThread).</summary>
    public int SeriesPerGroup => _seriesPerGroup;

    /// <summary>
    /// Creates the backend on the first CUDA device, else the first OpenCL GPU. Returns null with
    /// <paramref name="reason"/> saying what was found when no accelerator is usable (no driver, no device, the
    /// kernel refused to compile for it).
    /// </summary>
    public static IlgpuRecurrentInference? TryCreateGpu(
        RecurrentModelSpec spec, RecurrentWeights weights, int initialCapacity, out string reason)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(weights);
        spec.Validate();
        weights.ValidateFor(spec);
        if (_noDeviceReason is { } known)
        {
            reason = known;
            return null;
        }

        var notes = new List<string>();
        Context? context = null;
        try
        {
            context = Context.Create(b => b.Cuda().OpenCL().Math(MathMode.Fast32BitOnly).Optimize(OptimizationLevel.O2));
            foreach (var device in context.Devices)
            {
                if (device.AcceleratorType is not (AcceleratorType.Cuda or AcceleratorType.OpenCL))
                {
                    continue;
                }

                var name = device.AcceleratorType == AcceleratorType.Cuda ? "cuda" : "opencl";
                Accelerator? accelerator = null;
                try
                {
                    accelerator = device.CreateAccelerator(context);
                    var inference = new IlgpuRecurrentInference(context, accelerator, name, spec, weights, initialCapacity);
                    inference.WarmUp();
                    inference.SelectionReason = $"{name} device {device.Name} selected by probe"
                        + (notes.Count > 0 ? $" (skipped: {string.Join("; ", notes)})" : string.Empty);
                    reason = inference.SelectionReason;
                    return inference;
                }
                catch (Exception ex) when (ex is not ArgumentException)
                {
                    notes.Add($"{name} device {device.Name} refused: {ex.GetType().Name}: {ex.Message}");
                    accelerator?.Dispose();
                }
            }

            if (notes.Count == 0)
            {
                notes.Add("no CUDA or OpenCL device found (driver absent or no GPU)" + DescribeCudaDriver());

                // Devices do not appear while a process runs; later probes answer at once.
                _noDeviceReason = notes[0] + " (probed once per process)";
            }
        }
        catch (Exception ex) when (ex is not ArgumentException)
        {
            notes.Add($"ILGPU device probe failed: {ex.GetType().Name}: {ex.Message}");
        }

        context?.Dispose();
        reason = string.Join("; ", notes);
        return null;
    }

    // ILGPU binds the CUDA driver as "cuda", which the loader resolves to libcuda.so; driver installs that ship
    // only libcuda.so.1 need a libcuda.so link on LD_LIBRARY_PATH (bench/gpu/check.sh makes one).
    private static string DescribeCudaDriver()
    {
        if (!OperatingSystem.IsLinux())
        {
            return string.Empty;
        }

        if (System.Runtime.InteropServices.NativeLibrary.TryLoad("libcuda.so", out _))
        {
            return "; libcuda.so loads, so the driver sees no device";
        }

        return System.Runtime.InteropServices.NativeLibrary.TryLoad("libcuda.so.1", out _)
            ? "; only libcuda.so.1 loads: ILGPU needs libcuda.so (link it on LD_LIBRARY_PATH)"
            : "; no libcuda.so (NVIDIA driver not installed)";
    }

    /// <summary>Creates the backend on ILGPU's CPU simulator: slow, for kernel correctness tests at tiny shapes.</summary>
    public static IlgpuRecurrentInference CreateOnCpuSimulator(RecurrentModelSpec spec, RecurrentWeights weights, int initialCapacity)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var context = Context.Create(b => b.CPU().Math(MathMode.Fast32BitOnly));
        try
        {
            var accelerator = context.CreateCPUAccelerator(0);
            var inference = new IlgpuRecurrentInference(context, accelerator, "ilgpu-cpu", spec, weights, initialCapacity);
            inference.SelectionReason = "ILGPU CPU simulator (tests only)";
            return inference;
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Device-only time of <paramref name="repetitions"/> rollouts of <paramref name="steps"/> steps over the batch
    /// already uploaded by the last <see cref="IRecurrentInference.Step"/> or <see cref="IRecurrentInference.Rollout"/>
    /// with the same batch size: kernel launches and a final synchronisation, no transfers. Advances the state of
    /// those slots. Returns milliseconds per rollout.
    /// </summary>
    public double MeasureResidentRolloutMilliseconds(int batchSeries, int steps, int repetitions)
    {
        if (_slots is null || _inputs is null || _outputs is null || batchSeries < 1 || _slots.Length < batchSeries
            || _inputs.Length < (long)steps * batchSeries * Spec.InputSize || _outputs.Length < (long)steps * batchSeries * Spec.OutputSize)
        {
            throw new InvalidOperationException("Run Step or Rollout with this batch size and step count before measuring resident time.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        Launch(batchSeries, steps);
        _accelerator.Synchronize();
        var watch = Stopwatch.StartNew();
        for (var r = 0; r < repetitions; r++)
        {
            Launch(batchSeries, steps);
        }

        _accelerator.Synchronize();
        return watch.Elapsed.TotalMilliseconds / repetitions;
    }

    private protected override void GrowCore(int oldCapacity, int newCapacity)
    {
        var hidden = Spec.HiddenSize;
        var h = _accelerator.Allocate1D<float>((long)newCapacity * hidden);
        var c = _accelerator.Allocate1D<float>((long)newCapacity * hidden);
        h.MemSetToZero();
        c.MemSetToZero();
        _h.View.CopyTo(h.AsContiguous().SubView(0, _h.Length));
        _c.View.CopyTo(c.AsContiguous().SubView(0, _c.Length));
        _h.Dispose();
        _c.Dispose();
        _h = h;
        _c = c;
    }

    private protected override void ResetCore(int slot)
    {
        var hidden = Spec.HiddenSize;
        _h.AsContiguous().SubView((long)slot * hidden, hidden).MemSetToZero();
        _c.AsContiguous().SubView((long)slot * hidden, hidden).MemSetToZero();
    }

    private protected override void LoadWeightsCore(RecurrentWeights w)
    {
        int f = Spec.InputSize, hidden = Spec.HiddenSize, gh = Spec.GateRows, outs = Spec.OutputSize;
        for (var g = 0; g < gh; g++)
        {
            for (var k = 0; k < f; k++)
            {
                _hostWeightsT[(k * gh) + g] = w.InputWeights[(g * f) + k];
            }

            for (var k = 0; k < hidden; k++)
            {
                _hostWeightsT[((f + k) * gh) + g] = w.HiddenWeights[(g * hidden) + k];
            }
        }

        if (Spec.Cell == RecurrentCellKind.Lstm)
        {
            for (var i = 0; i < gh; i++)
            {
                _hostBias[i] = w.InputBias[i] + w.HiddenBias[i];
            }
        }
        else
        {
            for (var i = 0; i < 2 * hidden; i++)
            {
                _hostBias[i] = w.InputBias[i] + w.HiddenBias[i];
            }

            for (var j = 0; j < hidden; j++)
            {
                _hostBias[(2 * hidden) + j] = w.InputBias[(2 * hidden) + j];
                _hostBias[(3 * hidden) + j] = w.HiddenBias[(2 * hidden) + j];
            }
        }

        for (var o = 0; o < outs; o++)
        {
            for (var k = 0; k < hidden; k++)
            {
                _hostHeadT[(k * outs) + o] = w.HeadWeights[(o * hidden) + k];
            }
        }

        _weightsT.View.CopyFromCPU(_hostWeightsT);
        _bias.View.CopyFromCPU(_hostBias);
        _headT.View.CopyFromCPU(_hostHeadT);
        _headBias.View.CopyFromCPU(w.HeadBias);
        _accelerator.Synchronize();
    }

    private protected override void ReadStateCore(int slot, Span<float> h, Span<float> c)
    {
        var hidden = Spec.HiddenSize;
        _h.AsContiguous().SubView((long)slot * hidden, hidden).CopyToCPU(h);
        if (Spec.Cell == RecurrentCellKind.Lstm)
        {
            _c.AsContiguous().SubView((long)slot * hidden, hidden).CopyToCPU(c);
        }
    }

    private protected override void WriteStateCore(int slot, ReadOnlySpan<float> h, ReadOnlySpan<float> c)
    {
        var hidden = Spec.HiddenSize;
        _h.AsContiguous().SubView((long)slot * hidden, hidden).CopyFromCPU(h);
        _c.AsContiguous().SubView((long)slot * hidden, hidden).CopyFromCPU(Spec.Cell == RecurrentCellKind.Lstm ? c : _zeroState);
        _accelerator.Synchronize();
    }

    private protected override void RolloutCore(ReadOnlySpan<int> slots, ReadOnlySpan<float> inputs, int steps, Span<float> outputs)
    {
        EnsureCapacity(ref _slots, slots.Length);
        EnsureCapacity(ref _inputs, inputs.Length);
        EnsureCapacity(ref _outputs, outputs.Length);
        _slots!.AsContiguous().SubView(0, slots.Length).CopyFromCPU(slots);
        _inputs!.AsContiguous().SubView(0, inputs.Length).CopyFromCPU(inputs);
        Launch(slots.Length, steps);

        // A synchronous copy on the default stream waits for the kernel, so device faults surface here.
        _outputs!.AsContiguous().SubView(0, outputs.Length).CopyToCPU(outputs);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        _slots?.Dispose();
        _inputs?.Dispose();
        _outputs?.Dispose();
        _h.Dispose();
        _c.Dispose();
        _weightsT.Dispose();
        _bias.Dispose();
        _headT.Dispose();
        _headBias.Dispose();
        _accelerator.Dispose();
        _context.Dispose();
    }

    private void Launch(int batchSeries, int steps)
    {
        var spec = Spec;
        var shape = new RecurrentKernelShape
        {
            InputSize = spec.InputSize,
            HiddenSize = spec.HiddenSize,
            OutputSize = spec.OutputSize,
            SeriesPerGroup = _seriesPerGroup,
            BatchSeries = batchSeries,
            Steps = steps,
            IsLstm = spec.Cell == RecurrentCellKind.Lstm ? 1 : 0,
        };
        var groups = (batchSeries + _seriesPerGroup - 1) / _seriesPerGroup;
        var config = new KernelConfig(
            new Index1D(groups),
            new Index1D(_seriesPerGroup / RecurrentKernels.SeriesPerThread * spec.HiddenSize),
            SharedMemoryConfig.RequestDynamic<float>(_seriesPerGroup * (spec.InputSize + spec.HiddenSize)));
        _kernel(config, _slots!.View, _inputs!.View, _outputs!.View, _h.View, _c.View, _weightsT.View, _bias.View, _headT.View, _headBias.View, shape);
    }

    private void EnsureCapacity<T>(ref MemoryBuffer1D<T, Stride1D.Dense>? buffer, long length)
        where T : unmanaged
    {
        if (buffer is not null && buffer.Length >= length)
        {
            return;
        }

        var size = Math.Max(length, buffer is null ? 0 : buffer.Length * 2);
        buffer?.Dispose();
        buffer = _accelerator.Allocate1D<T>(Math.Max(1, size));
    }

    /// <summary>Compiles the kernel and runs it once on a scratch slot so a refused device fails at selection time.</summary>
    private void WarmUp()
    {
        var slot = AllocateSeries();
        Span<int> slots = [slot];
        var inputs = new float[Spec.InputSize];
        var outputs = new float[Spec.OutputSize];
        Step(slots, inputs, outputs);
        ReleaseSeries(slot);
    }
}
