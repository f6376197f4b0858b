using MessagePack;
using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Persistence;
using Prescient.Forecasting.Training;
using Prescient.Forecasting.Traces;
using Prescient.Kernels;

namespace Prescient.Forecasting.Tests;

public sealed class LstmTests : IDisposable
{
    private static readonly ForecastShape Shape = ForecastShape.ForStep(300, [300, 3600], ForecastShape.EvaluationQuantiles);
    private readonly string _dir = Directory.CreateTempSubdirectory("prescient-lstm-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static List<TraceSeries> Series(int count, int steps)
    {
        var list = new List<TraceSeries>();
        for (var s = 0; s < count; s++)
        {
            var v = Signals.Diurnal(steps, 5 + s, 2, 0.3, 40 + s).Select(x => (float)x).ToArray();
            list.Add(new TraceSeries(new SeriesKey(EntityKind.Node, "n" + s, ResourceKind.Cpu), "g", 1_700_000_000, 300, v));
        }

        return list;
    }

    private static LstmModel TrainSmall(int iterations = 40) => LstmTrainer.Train(
        Series(4, 1500), 300, Shape.HorizonSteps, Shape.Quantiles,
        new LstmTrainingOptions { HiddenSize = 8, Iterations = iterations, BatchSize = 8, WindowSteps = 48, BurnInSteps = 12, Threads = 1 });

    [Fact]
    public void ForwardSequence_TrainedModel_AgreesWithKernelInference()
    {
        var model = TrainSmall();
        var steps = 64;
        var f = LstmFeatures.Count;
        var x = new float[steps * f];
        var feats = new LstmFeatures(300, model.HorizonSteps);
        feats.Grow(1);
        feats.Reset(0);
        var values = Series(1, steps)[0].Values;
        for (var t = 0; t < steps; t++)
        {
            feats.Step(0, 1_700_000_000 + (t * 300L), values[t], x.AsSpan(t * f, f));
        }

        var training = new float[steps * model.Spec.OutputSize];
        LstmTrainer.ForwardSequence(model, x, steps, training);
        using var kernel = RecurrentInferenceFactory.Create(model.Spec, model.Weights, 1, KernelDevice.Cpu);
        var slot = kernel.AllocateSeries();
        var inference = new float[steps * model.Spec.OutputSize];
        kernel.Rollout([slot], x, steps, inference);
        for (var i = 0; i < training.Length; i++)
        {
            Assert.True(Math.Abs(training[i] - inference[i]) < 1e-4, $"output {i}: training {training[i]} vs kernels {inference[i]}");
        }
    }

    [Fact]
    public void Train_LearnableSignal_LossFallsBelowStart()
    {
        var shortRun = TrainSmall(1);
        var longRun = TrainSmall(150);
        static double Final(LstmModel m) => double.Parse(m.TrainingSummary.Split("final pinball ")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Final(longRun) < Final(shortRun), $"{Final(longRun)} vs {Final(shortRun)}");
    }

    [Fact]
    public void SaveLoad_RoundTrip_SameWeightsAndForecasts()
    {
        var model = TrainSmall(5);
        var path = Path.Combine(_dir, "m.model");
        model.Save(path);
        var loaded = LstmModel.Load(path);
        Assert.Equal(model.Weights.HiddenWeights, loaded.Weights.HiddenWeights);
        Assert.Equal(model.HorizonSteps, loaded.HorizonSteps);
        Assert.Equal(model.Quantiles, loaded.Quantiles);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void Load_OtherFormatVersion_RefusedWithClearMessage()
    {
        var path = Path.Combine(_dir, "old.model");
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(4);
        w.Write(ModelFile.Magic);
        w.Write(ModelFile.FormatVersion + 1);
        w.Write(LstmModel.Kind);
        w.Write(new byte[] { 1, 2, 3 });
        w.Flush();
        File.WriteAllBytes(path, buffer.WrittenSpan.ToArray());
        var e = Assert.Throws<InvalidDataException>(() => LstmModel.Load(path));
        Assert.Contains("format version", e.Message, StringComparison.Ordinal);
        Assert.Contains("old.model", e.Message, StringComparison.Ordinal);

        File.WriteAllBytes(path, [0x93, 0x01]);
        Assert.Throws<InvalidDataException>(() => LstmModel.Load(path));
    }

    [Fact]
    public void Forecaster_GarbageAndSteadyState_FiniteMonotoneNoAllocation()
    {
        var model = TrainSmall(5);
        using var f = new LstmForecaster(Shape, model);
        f.AddSeries(3);
        int[] slots = [0, 1, 2];
        var rng = new Random(3);
        double[] garbage = [double.NaN, double.PositiveInfinity, -4, 1e300];
        var values = new double[3];
        var output = new double[3 * Shape.Width];
        for (var t = 0; t < 400; t++)
        {
            for (var s = 0; s < 3; s++)
            {
                values[s] = rng.NextDouble() < 0.2 ? garbage[rng.Next(garbage.Length)] : 5 + rng.NextDouble();
            }

            f.Observe(1_700_000_000 + (t * 300L), slots, values);
            f.Forecast(slots, output);
        }

        Assert.All(output, v => Assert.True(double.IsFinite(v) && v >= 0));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var t = 400; t < 450; t++)
        {
            Array.Fill(values, 5.5);
            f.Observe(1_700_000_000 + (t * 300L), slots, values);
            f.Forecast(slots, output);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Forecaster_MismatchedHorizons_Refused()
    {
        var model = TrainSmall(1);
        var other = ForecastShape.ForStep(300, [300, 1800], ForecastShape.DefaultQuantiles);
        var e = Assert.Throws<ArgumentException>(() => new LstmForecaster(other, model));
        Assert.Contains("retrain", e.Message, StringComparison.Ordinal);
    }
}
