using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Training;
using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Tests;

public sealed class LstmFineTuningTests
{
    private const int Step = 60;
    private static readonly ForecastShape Shape = ForecastShape.ForStep(Step, [60, 300, 3600], [0.5, 0.9, 0.99]);
    private static readonly LstmTrainingOptions Small = new() { HiddenSize = 8, Iterations = 60, BatchSize = 8, WindowSteps = 48, BurnInSteps = 12, Threads = 1 };

    /// <summary>A slow sine around 10 (what the model was trained on), or the changed behaviour: a square wave of period 16 steps.</summary>
    private static List<TraceSeries> Series(int count, int steps, bool changed, int seed)
    {
        var rng = new Random(seed);
        var list = new List<TraceSeries>();
        for (var s = 0; s < count; s++)
        {
            var v = new float[steps];
            for (var t = 0; t < steps; t++)
            {
                var clean = changed ? (((t + (3 * s)) / 8) % 2 == 0 ? 4.0 : 16.0) : 10 + (3 * Math.Sin(2 * Math.PI * (t + (7 * s)) / 240.0));
                v[t] = (float)(clean * (1 + (0.02 * (rng.NextDouble() - 0.5))));
            }

            list.Add(new TraceSeries(new SeriesKey(EntityKind.Job, "j" + s, ResourceKind.Cpu), "g", 1_700_000_000, Step, v));
        }

        return list;
    }

    private static LstmModel TrainOnSine() => LstmTrainer.Train(Series(4, 600, changed: false, seed: 1), Step, Shape.HorizonSteps, Shape.Quantiles, Small);

    [Fact]
    public void FineTune_BehaviourChanged_HeldOutLossFallsAndTheTunedModelIsReturned()
    {
        var start = TrainOnSine();
        var tuning = LstmTrainer.FineTune(start, Series(8, 400, changed: true, seed: 2), new LstmTrainingOptions
        {
            HiddenSize = 8, Iterations = 150, BatchSize = 8, WindowSteps = 48, BurnInSteps = 12, Threads = 1, LearningRate = 0.01,
        }, TestContext.Current.CancellationToken);

        Assert.Equal("accepted", tuning.Outcome);
        Assert.NotNull(tuning.Model);
        Assert.True(tuning.LossAfter < tuning.LossBefore, $"{tuning.LossAfter} vs {tuning.LossBefore}");
        Assert.Equal(8, tuning.Series);
        Assert.Equal(start.Spec, tuning.Model.Spec);
        Assert.Equal(start.HorizonSteps, tuning.Model.HorizonSteps);
        Assert.Contains("fine-tuned on 8 live series", tuning.Model.TrainingSummary, StringComparison.Ordinal);
    }

    [Fact]
    public void FineTune_DivergingRound_IsRefusedAndTheModelKept()
    {
        // A learning rate far too high wrecks the weights; the held-out check must refuse the result.
        var start = TrainOnSine();
        var tuning = LstmTrainer.FineTune(start, Series(8, 400, changed: false, seed: 3), new LstmTrainingOptions
        {
            HiddenSize = 8, Iterations = 40, BatchSize = 8, WindowSteps = 48, BurnInSteps = 12, Threads = 1, LearningRate = 50, GradientClip = 1e6,
        }, TestContext.Current.CancellationToken);

        Assert.Null(tuning.Model);
        Assert.False(tuning.LossAfter < tuning.LossBefore);
        Assert.Contains("kept the model", tuning.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public void FineTune_TooLittleHistory_KeepsTheModel()
    {
        var tuning = LstmTrainer.FineTune(TrainOnSine(), Series(3, 150, changed: true, seed: 4), Small, TestContext.Current.CancellationToken);
        Assert.Null(tuning.Model);
        Assert.Equal(0, tuning.Series);
        Assert.Contains("too little history", tuning.Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public void TrainingSample_KeepsTheLastStepsInOrderWithGapsAsNaN()
    {
        using var f = new LstmForecaster(Shape, TrainOnSine());
        f.KeepTrainingSample(series: 2, steps: 5);
        f.AddSeries(3);
        f.DescribeSeries(1, new SeriesKey(EntityKind.Job, "b", ResourceKind.Memory), "grp");
        const long T0 = 1_700_000_040;
        for (var k = 0; k < 8; k++)
        {
            if (k == 5)
            {
                continue; // a missed step
            }

            f.Observe(T0 + (k * Step), [0, 1, 2], [k, 10 + k, 20 + k]);
        }

        var sample = f.TrainingSample();
        Assert.Equal(2, sample.Count);
        Assert.Equal([3f, 4f, float.NaN, 6f, 7f], sample[0].Values);
        Assert.Equal([13f, 14f, float.NaN, 16f, 17f], sample[1].Values);
        Assert.Equal(((T0 / Step) + 3) * Step, sample[0].StartSeconds);
        Assert.Equal("b", sample[1].Key.Name);
        Assert.Equal(ResourceKind.Memory, sample[1].Key.Resource);
        Assert.Equal("grp", sample[1].Group);
    }

    [Fact]
    public void UseModel_FineTunedCopy_ChangesForecastsKeepsState_OtherShapeRefused()
    {
        var start = TrainOnSine();
        using var f = new LstmForecaster(Shape, start);
        f.AddSeries(1);
        var values = Series(1, 100, changed: false, seed: 5)[0].Values;
        for (var t = 0; t < values.Length; t++)
        {
            f.Observe(1_700_000_000 + (t * Step), [0], [values[t]]);
        }

        var before = new double[Shape.Width];
        f.Forecast([0], before);
        var tuned = LstmTrainer.FineTune(start, Series(8, 400, changed: true, seed: 2), new LstmTrainingOptions
        {
            HiddenSize = 8, Iterations = 150, BatchSize = 8, WindowSteps = 48, BurnInSteps = 12, Threads = 1, LearningRate = 0.01,
        }, TestContext.Current.CancellationToken).Model!;
        f.UseModel(tuned);
        Assert.Same(tuned, f.Model);
        f.Observe(1_700_000_000 + (values.Length * Step), [0], [values[^1]]);
        var after = new double[Shape.Width];
        f.Forecast([0], after);
        Assert.All(after, v => Assert.True(double.IsFinite(v)));
        Assert.NotEqual(before, after);

        var other = LstmTrainer.Train(Series(4, 600, changed: false, seed: 1), Step, Shape.HorizonSteps, Shape.Quantiles,
            new LstmTrainingOptions { HiddenSize = 4, Iterations = 2, BatchSize = 4, WindowSteps = 48, BurnInSteps = 12, Threads = 1 });
        Assert.Throws<ArgumentException>(() => f.UseModel(other));
    }
}
