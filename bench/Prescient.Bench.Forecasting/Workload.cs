using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Models;
using Prescient.Forecasting.Training;
using Prescient.Kernels;
using Prescient.Orchestration.Cycle;

namespace Prescient.Bench.Forecasting;

/// <summary>A warmed forecaster over N series of synthetic diurnal usage, ready for one more step.</summary>
internal sealed class Workload
{
    public const long Start = 1_700_000_000;

    public static readonly ForecastShape Shape = ForecastShape.ForStep(300, [300, 3600], ForecastShape.DefaultQuantiles);

    /// <summary>Builds <paramref name="model"/> (an ensemble stepping on <paramref name="threads"/> threads) over <paramref name="series"/> series, warmed for <paramref name="warmSteps"/> steps.</summary>
    public Workload(string model, int series, int warmSteps, int threads = 1)
    {
        Forecaster = model == "lstm" ? new LstmForecaster(Shape, RandomLstm())
            : model == "ensemble" ? ForecasterRegistry.CreateEnsemble(Shape, options: new EnsembleOptions { Threads = threads })
            : model == "ensemble-engine" ? ForecasterRegistry.CreateEnsemble(Shape, options: EngineSettings(threads))
            : ForecasterRegistry.Create(model, Shape);
        Forecaster.AddSeries(series);
        Slots = Enumerable.Range(0, series).ToArray();
        for (var s = 0; s < series; s++)
        {
            Forecaster.DescribeSeries(s, new SeriesKey(EntityKind.Job, "j" + s, (ResourceKind)(s % 2)), "g" + (s % 16));
        }

        Values = new double[series];
        Output = new double[series * Shape.Width];
        for (var t = 0; t < warmSteps; t++)
        {
            Step();
        }
    }

    /// <summary>
    /// The ensemble's settings as the orchestrator derives them from its defaults (pending forecasts of a long horizon
    /// kept for every k-th step only, the season in 15-minute buckets, the days before the last in hourly means), on
    /// <paramref name="threads"/> threads.
    /// </summary>
    public static EnsembleOptions EngineSettings(int threads) => Orchestrator.EnsembleOptionsFor(new OrchestratorOptions { ForecastThreads = threads });

    public IForecaster Forecaster { get; }

    public int[] Slots { get; }

    public double[] Values { get; }

    public double[] Output { get; }

    public long Time { get; private set; } = Start;

    public void Step()
    {
        var phase = Math.Sin(2 * Math.PI * ((Time / 300) % 288) / 288.0);
        for (var s = 0; s < Values.Length; s++)
        {
            Values[s] = 10 + (s % 7) + (3 * phase) + ((s * 7919 + Time) % 13 / 13.0);
        }

        Forecaster.Observe(Time, Slots, Values);
        Time += 300;
    }

    public void Serve() => Forecaster.Forecast(Slots, Output);

    /// <summary>Checks the last forecast is finite, non-negative and monotone; throws otherwise (benchmarks assert before timing).</summary>
    public void Check()
    {
        Serve();
        for (var i = 0; i < Output.Length; i++)
        {
            if (!double.IsFinite(Output[i]) || Output[i] < 0 || (i % Shape.QuantileCount != 0 && Output[i] < Output[i - 1]))
            {
                throw new InvalidOperationException($"{Forecaster.Name}: bad forecast at {i}: {Output[i]}");
            }
        }
    }

    private static LstmModel RandomLstm()
    {
        // Inference cost does not depend on the weights' values; a seeded random network of the trained shape.
        var spec = new RecurrentModelSpec(RecurrentCellKind.Lstm, LstmFeatures.Count, 32, Shape.HorizonCount * ForecastShape.EvaluationQuantiles.Length);
        var w = new RecurrentWeights(spec);
        var rng = new Random(1);
        foreach (var a in new[] { w.InputWeights, w.HiddenWeights, w.InputBias, w.HiddenBias, w.HeadWeights, w.HeadBias })
        {
            for (var i = 0; i < a.Length; i++)
            {
                a[i] = (float)((rng.NextDouble() - 0.5) * 0.2);
            }
        }

        return new LstmModel(spec, w, 300, Shape.HorizonSteps.ToArray(), ForecastShape.EvaluationQuantiles, "random weights for benchmarks");
    }
}
