using System.Buffers;
using MessagePack;
using Prescient.Forecasting.Persistence;
using Prescient.Kernels;

namespace Prescient.Forecasting.Training;

/// <summary>
/// A trained global recurrent forecaster: the network (<see cref="Spec"/>, <see cref="Weights"/> in the kernels'
/// PyTorch layout) and what it was trained for — the step, the horizons (steps) and quantile levels of its outputs
/// (output k = horizon k / Q, quantile k % Q, in units of the series scale relative to the last value; see
/// <see cref="LstmFeatures"/>). Immutable after training; saved as a <see cref="ModelFile"/> of kind <c>lstm</c>.
/// </summary>
public sealed class LstmModel
{
    /// <summary>The <see cref="ModelFile"/> kind.</summary>
    public const string Kind = "lstm";

    /// <summary>Creates a model.</summary>
    public LstmModel(RecurrentModelSpec spec, RecurrentWeights weights, int stepSeconds, int[] horizonSteps, double[] quantiles, string trainingSummary)
    {
        if (spec.InputSize != LstmFeatures.Count || spec.OutputSize != horizonSteps.Length * quantiles.Length)
        {
            throw new ArgumentException($"spec {spec} does not match {LstmFeatures.Count} features and {horizonSteps.Length}×{quantiles.Length} outputs");
        }

        Spec = spec;
        Weights = weights;
        StepSeconds = stepSeconds;
        HorizonSteps = horizonSteps;
        Quantiles = quantiles;
        TrainingSummary = trainingSummary;
    }

    /// <summary>Network shape.</summary>
    public RecurrentModelSpec Spec { get; }

    /// <summary>Network parameters.</summary>
    public RecurrentWeights Weights { get; }

    /// <summary>Step of the series it was trained on.</summary>
    public int StepSeconds { get; }

    /// <summary>Horizons in steps.</summary>
    public int[] HorizonSteps { get; }

    /// <summary>Quantile levels.</summary>
    public double[] Quantiles { get; }

    /// <summary>What it was trained on, how long, final loss (for logs).</summary>
    public string TrainingSummary { get; }

    /// <summary>
    /// True when <paramref name="other"/> can stand in for this model (a fine-tuned copy): the same cell and sizes, step,
    /// horizons and quantiles; only the weights and the summary may differ.
    /// </summary>
    public bool HasSameShape(LstmModel other) =>
        other.Spec == Spec && other.StepSeconds == StepSeconds && other.HorizonSteps.AsSpan().SequenceEqual(HorizonSteps)
        && other.Quantiles.AsSpan().SequenceEqual(Quantiles);

    /// <summary>Saves atomically to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(14);
        w.Write(Spec.Cell == RecurrentCellKind.Lstm ? "lstm" : "gru");
        w.Write(Spec.InputSize);
        w.Write(Spec.HiddenSize);
        w.Write(Spec.OutputSize);
        w.Write(StepSeconds);
        WriteInts(ref w, HorizonSteps);
        WriteDoubles(ref w, Quantiles);
        w.Write(TrainingSummary);
        WriteFloats(ref w, Weights.InputWeights);
        WriteFloats(ref w, Weights.HiddenWeights);
        WriteFloats(ref w, Weights.InputBias);
        WriteFloats(ref w, Weights.HiddenBias);
        WriteFloats(ref w, Weights.HeadWeights);
        WriteFloats(ref w, Weights.HeadBias);
        w.Flush();
        ModelFile.Write(path, Kind, buffer.WrittenSpan);
    }

    /// <summary>Loads a model saved by <see cref="Save"/>; <see cref="InvalidDataException"/> names the file when it cannot.</summary>
    public static LstmModel Load(string path)
    {
        var payload = ModelFile.Read(path, Kind);
        try
        {
            var r = new MessagePackReader(payload);
            if (r.ReadArrayHeader() != 14)
            {
                throw new InvalidDataException($"{path}: unexpected lstm payload layout");
            }

            var cell = r.ReadString() == "gru" ? RecurrentCellKind.Gru : RecurrentCellKind.Lstm;
            var spec = new RecurrentModelSpec(cell, r.ReadInt32(), r.ReadInt32(), r.ReadInt32());
            var step = r.ReadInt32();
            var horizons = ReadInts(ref r);
            var quantiles = ReadDoubles(ref r);
            var summary = r.ReadString() ?? string.Empty;
            var weights = new RecurrentWeights(spec, ReadFloats(ref r), ReadFloats(ref r), ReadFloats(ref r), ReadFloats(ref r), ReadFloats(ref r), ReadFloats(ref r));
            weights.Validate();
            return new LstmModel(spec, weights, step, horizons, quantiles, summary);
        }
        catch (Exception e) when (e is MessagePackSerializationException or ArgumentException or EndOfStreamException)
        {
            throw new InvalidDataException($"{path}: invalid lstm model ({e.Message})", e);
        }
    }

    private static void WriteInts(ref MessagePackWriter w, int[] values)
    {
        w.WriteArrayHeader(values.Length);
        foreach (var v in values)
        {
            w.Write(v);
        }
    }

    private static void WriteDoubles(ref MessagePackWriter w, double[] values)
    {
        w.WriteArrayHeader(values.Length);
        foreach (var v in values)
        {
            w.Write(v);
        }
    }

    private static void WriteFloats(ref MessagePackWriter w, float[] values)
    {
        w.WriteArrayHeader(values.Length);
        foreach (var v in values)
        {
            w.Write(v);
        }
    }

    private static int[] ReadInts(ref MessagePackReader r)
    {
        var a = new int[r.ReadArrayHeader()];
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = r.ReadInt32();
        }

        return a;
    }

    private static double[] ReadDoubles(ref MessagePackReader r)
    {
        var a = new double[r.ReadArrayHeader()];
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = r.ReadDouble();
        }

        return a;
    }

    private static float[] ReadFloats(ref MessagePackReader r)
    {
        var a = new float[r.ReadArrayHeader()];
        for (var i = 0; i < a.Length; i++)
        {
            a[i] = r.ReadSingle();
        }

        return a;
    }
}
