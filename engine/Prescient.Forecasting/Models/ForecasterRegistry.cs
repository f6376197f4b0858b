using Prescient.Abstractions.Forecasting;

namespace Prescient.Forecasting.Models;

/// <summary>Creates forecasters by their stable name.</summary>
public static class ForecasterRegistry
{
    /// <summary>Every model <see cref="Create"/> knows, in the order evaluations report them (<c>lstm</c> needs a trained model file).</summary>
    public static readonly string[] Names =
    [
        "persistence", "seasonal-naive", "seasonal-naive-weekly", "ewma", "holt-winters", "vpa",
        "autopilot", "autopilot-peak", "autopilot-avg", "autopilot-p95", "bayes-dlm", "window-quantile", "seasonal-median", "ensemble",
    ];

    /// <summary>The baselines the ensemble's MASE target is measured against.</summary>
    public static readonly string[] Baselines = ["persistence", "seasonal-naive", "ewma", "holt-winters"];

    /// <summary>
    /// Creates the model named <paramref name="name"/>; throws <see cref="ArgumentException"/> for an unknown name.
    /// <paramref name="extraMembers"/> are added to the ensemble's default members (e.g. a trained <c>lstm</c>).
    /// <paramref name="ensembleOptions"/>' memory settings (<see cref="EnsembleOptions.SeasonalResolutionSeconds"/>,
    /// <see cref="EnsembleOptions.PendingSlotsPerHorizon"/>) apply to the single seasonal and Bayesian models too.
    /// </summary>
    public static IForecaster Create(string name, ForecastShape shape, IReadOnlyList<IForecaster>? extraMembers = null, EnsembleOptions? ensembleOptions = null) => name switch
    {
        "persistence" => new PersistenceForecaster(shape),
        "seasonal-naive" => new SeasonalNaiveForecaster(shape, 86400, ensembleOptions?.SeasonalResolutionSeconds ?? 0),
        "seasonal-naive-weekly" => new SeasonalNaiveForecaster(shape, 604800, ensembleOptions?.SeasonalResolutionSeconds ?? 0),
        "ewma" => new EwmaForecaster(shape),
        "holt-winters" => new HoltWintersForecaster(shape, ensembleOptions?.SeasonalResolutionSeconds ?? 0, ensembleOptions?.PendingSlotsPerHorizon ?? 0),
        "vpa" => new VpaForecaster(shape),
        "autopilot" => new AutopilotForecaster(shape),
        "autopilot-peak" => new AutopilotForecaster(shape, AutopilotVariant.Peak),
        "autopilot-avg" => new AutopilotForecaster(shape, AutopilotVariant.WeightedAverage),
        "autopilot-p95" => new AutopilotForecaster(shape, AutopilotVariant.Percentile),
        "bayes-dlm" => new BayesDlmForecaster(shape, ensembleOptions?.SeasonalResolutionSeconds ?? 0, ensembleOptions?.PendingSlotsPerHorizon ?? 0),
        "window-quantile" => new WindowQuantileForecaster(shape),
        "seasonal-median" => new SeasonalMedianForecaster(shape, 7, ensembleOptions?.SeasonalResolutionSeconds ?? 0),
        "ensemble" => CreateEnsemble(shape, extraMembers, ensembleOptions),
        _ => throw new ArgumentException($"unknown model '{name}' (known: {string.Join(", ", Names)}, lstm)", nameof(name)),
    };

    /// <summary>The ensemble with its default members plus <paramref name="extraMembers"/>.</summary>
    public static EnsembleForecaster CreateEnsemble(ForecastShape shape, IReadOnlyList<IForecaster>? extraMembers = null, EnsembleOptions? options = null)
    {
        var resolution = options?.SeasonalResolutionSeconds ?? 0;
        var slots = options?.PendingSlotsPerHorizon ?? 0;
        // One history serves every member that looks back: a week (the seasonal median's), exact over the last 24
        // steps (the windows' and bayes-dlm's lags), bucketed beyond at the seasonal resolution, and beyond the last day
        // at the older days' resolution when that is coarser (a whole number of buckets).
        var period = Math.Max(1, 86400 / shape.StepSeconds);
        var bucket = SeriesHistory.BucketSteps(shape.StepSeconds, period, resolution);
        var older = SeriesHistory.BucketSteps(shape.StepSeconds, period, options?.OlderDaysResolutionSeconds ?? 0);
        var history = bucket > 1 && older >= 2 * bucket && older % bucket == 0
            ? new SeriesHistory(Math.Max(7 * period, 24), bucket, 24, older, recent: period)
            : new SeriesHistory(Math.Max(7 * period, 24), bucket, 24);
        var members = new List<IForecaster>
        {
            new PersistenceForecaster(shape),
            new SeasonalNaiveForecaster(shape, 86400, resolution, history),
            new EwmaForecaster(shape),
            new BayesDlmForecaster(shape, resolution, slots, history),
            new SeasonalMedianForecaster(shape, 7, resolution, history),
            new WindowQuantileForecaster(shape, 3, "window-median-3", history),
            new WindowQuantileForecaster(shape, 6, "window-median-6", history),
            new WindowQuantileForecaster(shape, 12, "window-median-12", history),
            new WindowQuantileForecaster(shape, 24, "window-median-24", history),
        };
        if (extraMembers is not null)
        {
            members.AddRange(extraMembers);
        }

        return new EnsembleForecaster(shape, members, options, history);
    }
}
