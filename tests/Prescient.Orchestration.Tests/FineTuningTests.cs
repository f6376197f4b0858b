using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Models;
using Prescient.Forecasting.Training;
using Prescient.Forecasting.Traces;
using Prescient.Host.Planning;
using Prescient.Orchestration.Cycle;

namespace Prescient.Orchestration.Tests;

/// <summary>The LSTM in the orchestrator's ensemble, its background fine-tuning on live data, and where the tuned model is kept.</summary>
public sealed class FineTuningTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("prescient-finetune-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>A small model for the orchestrator's shape (60 s step; 1 min, 5 min, 1 h; 0.5/0.9/0.99), saved to a file.</summary>
    private string SmallModel(string name, int hidden = 6)
    {
        var shape = ForecastShape.ForStep(60, [60, 300, 3600], [0.5, 0.9, 0.99]);
        var series = Enumerable.Range(0, 3).Select(s => new TraceSeries(
            new SeriesKey(EntityKind.Job, "t" + s, ResourceKind.Cpu), "g", 1_700_000_000, 60,
            Enumerable.Range(0, 500).Select(t => (float)(5 + (2 * Math.Sin((t + (10 * s)) / 30.0)))).ToArray())).ToList();
        var model = LstmTrainer.Train(series, 60, shape.HorizonSteps, shape.Quantiles,
            new LstmTrainingOptions { HiddenSize = hidden, Iterations = 10, BatchSize = 4, WindowSteps = 48, BurnInSteps = 12, Threads = 1 });
        var path = Path.Combine(_directory, name);
        model.Save(path);
        return path;
    }

    [Fact]
    public void Run_WithLstmModel_TheEnsembleHasItAndFineTunesOnLiveDataInTheBackground()
    {
        var options = TestCluster.Options("ensemble");
        options.LstmModelPath = SmallModel("start.model");
        options.FineTuneEveryMinutes = 60;
        options.FineTuneIterations = 20;
        options.FineTuneSeries = 16;
        var orchestrator = new Orchestrator(options);
        Assert.NotNull(orchestrator.Lstm);
        Assert.Contains(orchestrator.Lstm, ((EnsembleForecaster)orchestrator.Model).Members);
        var tuned = new List<LstmModel>();
        orchestrator.ModelFineTuned += tuned.Add;

        var rng = new Random(5);
        var cluster = TestCluster.Random(5, nodes: 2, jobsPerNode: 2);
        var snapshot = new ClusterSnapshot();
        var rounds = new List<LstmFineTuning>();
        for (var cycle = 0; cycle < 5 * 60; cycle++)
        {
            cluster.Fill(snapshot);
            var result = orchestrator.Run(snapshot);
            Assert.Equal(CycleStatus.Planned, result.Status);
            cluster.Apply(result);
            cluster.Walk(rng);
            cluster.NowSeconds += 60;

            // Each round runs on its own thread; waiting here only makes the test's cycle-by-cycle record exact.
            Assert.True(orchestrator.WaitForFineTuning(TimeSpan.FromMinutes(2)));
            if (orchestrator.LastFineTuning is { } last && (rounds.Count == 0 || !ReferenceEquals(rounds[^1], last)))
            {
                rounds.Add(last);
            }
        }

        // Rounds at minutes 60, 120, 180 and 240 (the last collected a cycle later): the first ones find under half of the
        // six-hour sample filled, the later ones learn from the 16 kept series.
        Assert.Equal(4, orchestrator.FineTuningRounds);
        Assert.Equal(4, rounds.Count);
        Assert.Contains("too little history", rounds[0].Outcome, StringComparison.Ordinal);
        Assert.All(rounds, r => Assert.DoesNotContain("failed", r.Outcome, StringComparison.Ordinal));
        var learned = rounds[^1];
        Assert.Equal(16, learned.Series);
        Assert.True(double.IsFinite(learned.LossBefore) && double.IsFinite(learned.LossAfter));
        Assert.Equal(orchestrator.FineTuningAccepted, tuned.Count);
        if (tuned.Count > 0)
        {
            Assert.Same(tuned[^1], orchestrator.Lstm!.Model);
        }
    }

    [Fact]
    public void Create_LstmModelProblems_RefusedNamingTheSetting()
    {
        var options = TestCluster.Options("ensemble");
        options.LstmModelPath = Path.Combine(_directory, "missing.model");
        Assert.Contains("LstmModelPath", Assert.Throws<ArgumentException>(() => new Orchestrator(options)).Message, StringComparison.Ordinal);

        File.WriteAllText(options.LstmModelPath, "not a model");
        Assert.Contains("LstmModelPath", Assert.Throws<ArgumentException>(() => new Orchestrator(options)).Message, StringComparison.Ordinal);

        options.LstmModelPath = SmallModel("ok.model");
        options.Model = "bayes-dlm";
        Assert.Contains("Model = ensemble", Assert.Throws<ArgumentException>(() => new Orchestrator(options)).Message, StringComparison.Ordinal);

        options.Model = "lstm";
        Assert.IsType<LstmForecaster>(new Orchestrator(options).Model);
    }

    [Fact]
    public void ReadPlannerOptions_LstmModelPath_MustLoadAndFitTheOrchestratorsShape()
    {
        static void Read(params (string Key, string Value)[] settings) => Prescient.Host.EngineHost.ReadPlannerOptions(
            new ConfigurationBuilder()
                .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());

        var path = SmallModel("engine.model");
        Read(("Prescient:Orchestrator:LstmModelPath", path));
        Read(("Prescient:Orchestrator:LstmModelPath", path), ("Prescient:Orchestrator:Model", "lstm"));
        var missing = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => Read(("Prescient:Orchestrator:LstmModelPath", Path.Combine(_directory, "none.model"))));
        Assert.Contains("LstmModelPath", missing.Message, StringComparison.Ordinal);
        var misfit = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => Read(
            ("Prescient:Orchestrator:LstmModelPath", path), ("Prescient:Orchestrator:HorizonsSeconds:0", "60"), ("Prescient:Orchestrator:HorizonsSeconds:1", "600")));
        Assert.Contains("retrain with matching --horizons", misfit.Message, StringComparison.Ordinal);
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => Read(("Prescient:Orchestrator:FineTuneHours", "0")));
    }

    [Fact]
    public void ChooseLstmModel_TunedFileWinsOnlyWhenItFits()
    {
        var store = new PlanningStateStore(_directory, NullLogger<PlanningStateStore>.Instance);
        var configured = SmallModel("configured.model");
        Assert.Equal(configured, store.ChooseLstmModel(configured));
        Assert.Equal("", store.ChooseLstmModel(""));

        LstmModel.Load(configured).Save(store.TunedLstmPath);
        Assert.Equal(store.TunedLstmPath, store.ChooseLstmModel(configured));

        LstmModel.Load(SmallModel("other.model", hidden: 3)).Save(store.TunedLstmPath);
        Assert.Equal(configured, store.ChooseLstmModel(configured));

        File.WriteAllText(store.TunedLstmPath, "damaged");
        Assert.Equal(configured, store.ChooseLstmModel(configured));
    }
}
