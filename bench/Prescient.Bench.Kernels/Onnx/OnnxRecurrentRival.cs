using Microsoft.ML.OnnxRuntime;
using Prescient.Kernels;

namespace Prescient.Bench.Kernels.Onnx;

/// <summary>
/// ONNX Runtime running its own LSTM/GRU operator on the model from <see cref="OnnxRecurrentModelWriter"/>, for
/// a fixed batch of N series and a fixed number of steps. Tensors are preallocated and bound once (IO binding);
/// state is carried between calls by ping-ponging two bindings (Y_h of one call is initial_h of the next), so each
/// call does the same work as our Rollout with no copies of ours.
/// </summary>
public sealed class OnnxRecurrentRival : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtIoBinding[] _bindings = new OrtIoBinding[2];
    private readonly List<OrtValue> _values = [];
    private readonly float[][] _h = new float[2][];
    private readonly float[][] _c = new float[2][];
    private int _current;

    public OnnxRecurrentRival(RecurrentWeights weights, int series, int steps, int intraOpThreads)
    {
        var spec = weights.Spec;
        Spec = spec;
        Series = series;
        Steps = steps;
        using var options = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(OnnxRecurrentModelWriter.Write(weights, steps), options);
        Inputs = new float[(long)steps * series * spec.InputSize];
        Outputs = new float[(long)steps * series * spec.OutputSize];
        var lstm = spec.Cell == RecurrentCellKind.Lstm;
        for (var i = 0; i < 2; i++)
        {
            _h[i] = new float[series * spec.HiddenSize];
            _c[i] = new float[lstm ? series * spec.HiddenSize : 1];
        }

        var x = Track(OrtValue.CreateTensorValueFromMemory(Inputs, [steps, series, spec.InputSize]));
        var y = Track(OrtValue.CreateTensorValueFromMemory(Outputs, [steps, series, spec.OutputSize]));
        var hValues = new OrtValue[2];
        var cValues = new OrtValue[2];
        for (var i = 0; i < 2; i++)
        {
            hValues[i] = Track(OrtValue.CreateTensorValueFromMemory(_h[i], [1, series, spec.HiddenSize]));
            if (lstm)
            {
                cValues[i] = Track(OrtValue.CreateTensorValueFromMemory(_c[i], [1, series, spec.HiddenSize]));
            }
        }

        for (var i = 0; i < 2; i++)
        {
            var binding = _session.CreateIoBinding();
            binding.BindInput("X", x);
            binding.BindInput("initial_h", hValues[i]);
            binding.BindOutput("y", y);
            binding.BindOutput("Y_h", hValues[1 - i]);
            if (lstm)
            {
                binding.BindInput("initial_c", cValues[i]);
                binding.BindOutput("Y_c", cValues[1 - i]);
            }

            binding.SynchronizeBoundInputs();
            _bindings[i] = binding;
        }
    }

    public RecurrentModelSpec Spec { get; }

    public int Series { get; }

    public int Steps { get; }

    /// <summary>steps × N × F, fill before <see cref="Run"/>.</summary>
    public float[] Inputs { get; }

    /// <summary>steps × N × O, written by <see cref="Run"/>.</summary>
    public float[] Outputs { get; }

    /// <summary>h after the last run, N × H.</summary>
    public ReadOnlySpan<float> Hidden => _h[_current];

    /// <summary>c after the last run (LSTM), N × H.</summary>
    public ReadOnlySpan<float> Cell => _c[_current];

    public void ResetState()
    {
        foreach (var a in _h)
        {
            Array.Clear(a);
        }

        foreach (var a in _c)
        {
            Array.Clear(a);
        }
    }

    /// <summary>Advances all N series by <see cref="Steps"/> steps.</summary>
    public void Run()
    {
        _session.RunWithBinding(_runOptions, _bindings[_current]);
        _current = 1 - _current;
    }

    public void Dispose()
    {
        foreach (var b in _bindings)
        {
            b?.Dispose();
        }

        foreach (var v in _values)
        {
            v.Dispose();
        }

        _runOptions.Dispose();
        _session.Dispose();
    }

    private OrtValue Track(OrtValue value)
    {
        _values.Add(value);
        return value;
    }
}
