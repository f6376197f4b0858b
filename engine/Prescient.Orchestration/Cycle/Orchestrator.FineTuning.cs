using Prescient.Abstractions.Forecasting;
using Prescient.Forecasting.Models;
using Prescient.Forecasting.Training;

namespace Prescient.Orchestration.Cycle;

/// <summary>
/// The LSTM member and its background fine-tuning (<see cref="OrchestratorOptions.LstmModelPath"/>). Every
/// <see cref="OrchestratorOptions.FineTuneEveryMinutes"/> a cycle copies the kept sample of live series and starts a
/// round on a background thread (one gradient thread, capped in iterations and seconds); the cycle that finds it done
/// swaps the weights in if the round was better on held-out recent windows than the model in use
/// (<see cref="LstmTrainer.FineTune"/>), so no cycle waits for training and a worse round changes nothing.
/// </summary>
public sealed partial class Orchestrator
{
    private LstmForecaster? _lstm;
    private Task<LstmFineTuning>? _tuning;
    private long _nextTuningSeconds = -1;

    /// <summary>The LSTM member, when <see cref="OrchestratorOptions.LstmModelPath"/> gave one.</summary>
    public LstmForecaster? Lstm => _lstm;

    /// <summary>The last finished fine-tuning round (null before the first).</summary>
    public LstmFineTuning? LastFineTuning { get; private set; }

    /// <summary>Fine-tuning rounds finished, and how many of them replaced the model.</summary>
    public int FineTuningRounds { get; private set; }

    /// <inheritdoc cref="FineTuningRounds"/>
    public int FineTuningAccepted { get; private set; }

    /// <summary>Raised on the planning thread when a fine-tuned model has been swapped in (the host persists it).</summary>
    public event Action<LstmModel>? ModelFineTuned;

    /// <summary>The ensemble (or the LSTM alone for <c>Model = lstm</c>) with the trained LSTM from <paramref name="model"/>.</summary>
    private IForecaster CreateWithLstm(string name, ForecastShape shape, LstmModel model)
    {
        var lstm = new LstmForecaster(shape, model);
        var sampleSteps = Math.Max(2, _options.FineTuneHours * 3600 / model.StepSeconds);
        lstm.KeepTrainingSample(_options.FineTuneSeries, sampleSteps);
        _lstm = lstm;
        return name == "lstm" ? lstm : ForecasterRegistry.CreateEnsemble(shape, [lstm], EnsembleOptionsFor(_options));
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming <see cref="OrchestratorOptions.LstmModelPath"/> when its file does
    /// not load or does not fit the orchestrator's step, horizons and quantiles (for validation at start-up).
    /// </summary>
    public static void CheckLstmModel(OrchestratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var model = LoadLstm(options.LstmModelPath);
        try
        {
            using var fit = new LstmForecaster(ShapeFor(options), model);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Prescient:Orchestrator:LstmModelPath: {options.LstmModelPath}: {e.Message}", nameof(OrchestratorOptions.LstmModelPath), e);
        }
    }

    /// <summary>Loads <see cref="OrchestratorOptions.LstmModelPath"/>; the error names the setting and the reason.</summary>
    private static LstmModel LoadLstm(string path)
    {
        try
        {
            return LstmModel.Load(path);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"Prescient:Orchestrator:LstmModelPath: {e.Message}", nameof(OrchestratorOptions.LstmModelPath), e);
        }
    }

    /// <summary>Collects a finished round and starts the next one when due. Called at the start of every cycle.</summary>
    private void StepFineTuning(long nowSeconds)
    {
        if (_lstm is null || _options.FineTuneEveryMinutes == 0)
        {
            return;
        }

        if (_tuning is { IsCompleted: true } done)
        {
            _tuning = null;
            var round = done.IsCompletedSuccessfully
                ? done.Result
                : new LstmFineTuning(null, double.NaN, double.NaN, 0, 0, 0, "failed: " + done.Exception?.GetBaseException().Message);
            LastFineTuning = round;
            FineTuningRounds++;
            if (round.Model is not null)
            {
                _lstm.UseModel(round.Model);
                FineTuningAccepted++;
                ModelFineTuned?.Invoke(round.Model);
            }
        }

        var every = _options.FineTuneEveryMinutes * 60L;
        if (_nextTuningSeconds < 0)
        {
            _nextTuningSeconds = nowSeconds + every;
        }

        if (_tuning is not null || nowSeconds < _nextTuningSeconds)
        {
            return;
        }

        _nextTuningSeconds = nowSeconds + every;
        _tuning = StartRound(_lstm);
    }

    /// <summary>
    /// Copies the sample and starts a round on its own thread. Apart from <see cref="StepFineTuning"/> so that its
    /// closure is allocated only when a round starts (a captured local would allocate at every cycle's entry).
    /// </summary>
    private Task<LstmFineTuning> StartRound(LstmForecaster lstm)
    {
        var start = lstm.Model;
        var sample = lstm.TrainingSample();
        var options = new LstmTrainingOptions
        {
            HiddenSize = start.Spec.HiddenSize,
            Iterations = _options.FineTuneIterations,
            MaxSeconds = _options.FineTuneSeconds,
            LearningRate = 0.001,
            Threads = 1,
            Seed = _options.Seed + FineTuningRounds,
        };
        return Task.Factory.StartNew(() => LstmTrainer.FineTune(start, sample, options), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Waits for a round in progress (tests, and a graceful stop that wants its result).</summary>
    public bool WaitForFineTuning(TimeSpan timeout) => _tuning is null || _tuning.Wait(timeout);
}
