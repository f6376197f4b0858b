using Prescient.Abstractions.Forecasting;

namespace Prescient.Forecasting.Evaluation;

/// <summary>What <see cref="Evaluator"/> runs.</summary>
public sealed class EvaluationOptions
{
    /// <summary>Models by name (<see cref="Models.ForecasterRegistry.Names"/>, plus <c>lstm</c> when <see cref="ExtraModels"/> provides it).</summary>
    public IReadOnlyList<string> Models { get; set; } = Prescient.Forecasting.Models.ForecasterRegistry.Names;

    /// <summary>Horizons in seconds; those shorter than the trace's step are dropped. Default 1 min, 5 min, 1 h.</summary>
    public IReadOnlyList<int> HorizonSeconds { get; set; } = ForecastShape.DefaultHorizonSeconds;

    /// <summary>Entities (VMs, users, …) evaluated, with all their resources; 0 = all.</summary>
    public int MaxEntities { get; set; }

    /// <summary>
    /// The first part of each series, in seconds, that is history only: it gives the MASE scale (the in-sample MAE of the
    /// daily seasonal-naive forecast) and warms the models; forecasts are scored from its end on. Default 7 days.
    /// </summary>
    public int WarmupSeconds { get; set; } = 7 * 86400;

    /// <summary>
    /// Cold-start mode when positive: models see only this many seconds of each series before the first scored
    /// origin (the scale still uses the whole warm-up), measuring how useful forecasts are after that much history.
    /// 0 (default) = models see the whole warm-up.
    /// </summary>
    public int ModelHistorySeconds { get; set; }

    /// <summary>
    /// With <see cref="ModelHistorySeconds"/>: 0 or 1 makes every series new at once; k &gt; 1 makes only every k-th
    /// entity (in trace order) new and scores only those, while the others are observed from the start — a new VM or
    /// job joining a population whose group and population calibration is mature, as in the engine.
    /// </summary>
    public int ColdEntityEvery { get; set; }

    /// <summary>When positive, only origins within this many seconds after the warm-up are scored (with <see cref="ModelHistorySeconds"/>: the first hours of a new series). 0 = all.</summary>
    public int ScoreWindowSeconds { get; set; }

    /// <summary>Steps between scored forecast origins (1 = every step).</summary>
    public int OriginStride { get; set; } = 1;

    /// <summary>Models evaluated in parallel (each is independent); default 1.</summary>
    public int Parallelism { get; set; } = 1;

    /// <summary>Series whose actual vs forecast are recorded for plots (the first ones with a usable scale).</summary>
    public int PlotSeries { get; set; } = 4;

    /// <summary>Steps recorded per plotted series (the end of the evaluation window). Default 2 days of 5-minute steps.</summary>
    public int PlotSteps { get; set; } = 576;

    /// <summary>Factories for models the registry cannot create (the trained <c>lstm</c>): name → factory of a fresh instance.</summary>
    public IReadOnlyDictionary<string, Func<ForecastShape, IForecaster>> ExtraModels { get; set; } = new Dictionary<string, Func<ForecastShape, IForecaster>>();

    /// <summary>Names of extra models also added as ensemble members.</summary>
    public IReadOnlyList<string> ExtraEnsembleMembers { get; set; } = [];

    /// <summary>Ensemble tuning (null = defaults).</summary>
    public Models.EnsembleOptions? Ensemble { get; set; }
}
