using System.Diagnostics;
using Trace = Prescient.Forecasting.Traces.Trace;
using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Models;
using Prescient.Forecasting.Traces;

namespace Prescient.Forecasting.Evaluation;

/// <summary>
/// Rolling-origin evaluation with no look-ahead: every model sees each series one step at a time, in time order
/// across all series (so no series' future informs another's prior), and after each step at or past the warm-up
/// forecasts every horizon; the forecast for t+h is scored against the trace's value at t+h, which the model
/// has not seen. Metrics are defined in <see cref="EvaluationMetrics"/>.
/// </summary>
public static class Evaluator
{
    /// <summary>Runs the evaluation; <paramref name="progress"/> receives a line per finished model.</summary>
    public static EvaluationReport Run(Trace trace, EvaluationOptions options, Action<string>? progress = null)
    {
        var shape = ForecastShape.ForStep(trace.StepSeconds, options.HorizonSeconds.ToArray(), ForecastShape.EvaluationQuantiles);
        var series = Select(trace, options.MaxEntities);
        var warm = Math.Max(1, options.WarmupSeconds / trace.StepSeconds);
        var period = Math.Max(1, 86400 / trace.StepSeconds);
        var scales = new double[series.Count];
        var included = new List<int>();
        for (var i = 0; i < series.Count; i++)
        {
            scales[i] = SeasonalNaiveScale(series[i].Values, period, warm);
            if (scales[i] > 0 && series[i].Values.Length > warm + shape.MaxHorizonSteps)
            {
                included.Add(i);
            }
        }

        var results = new Dictionary<string, IReadOnlyDictionary<int, IReadOnlyDictionary<ResourceKind, EvaluationMetrics>>>();
        var seconds = new Dictionary<string, double>();
        var plots = new List<PlotTrack>();
        var gate = new object();
        Parallel.ForEach(
            options.Models,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism) },
            name =>
            {
                var sw = Stopwatch.StartNew();
                var model = CreateModel(name, shape, options);
                var (metrics, tracks) = RunModel(model, series, included, scales, warm, shape, options);
                sw.Stop();
                lock (gate)
                {
                    results[name] = metrics;
                    seconds[name] = sw.Elapsed.TotalSeconds;
                    plots.AddRange(tracks);
                    progress?.Invoke($"{name}: {sw.Elapsed.TotalSeconds:F1} s");
                }
            });

        var ordered = new Dictionary<string, IReadOnlyDictionary<int, IReadOnlyDictionary<ResourceKind, EvaluationMetrics>>>();
        foreach (var name in options.Models)
        {
            ordered[name] = results[name];
        }

        return new EvaluationReport
        {
            Models = ordered,
            SeriesEvaluated = included.Count,
            SeriesExcluded = series.Count - included.Count,
            SecondsPerModel = seconds,
            Plots = plots.OrderBy(p => p.Model, StringComparer.Ordinal).ThenBy(p => p.Series, StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>The series of the first <paramref name="maxEntities"/> entities (all when 0), in trace order.</summary>
    public static List<TraceSeries> Select(Trace trace, int maxEntities)
    {
        if (maxEntities <= 0)
        {
            return trace.Series.ToList();
        }

        var entities = new HashSet<(EntityKind, string)>();
        var result = new List<TraceSeries>();
        foreach (var s in trace.Series)
        {
            var e = (s.Key.Entity, s.Key.Name);
            if (!entities.Contains(e))
            {
                if (entities.Count >= maxEntities)
                {
                    continue;
                }

                entities.Add(e);
            }

            result.Add(s);
        }

        return result;
    }

    /// <summary>In-sample MAE of the daily seasonal-naive forecast over the first <paramref name="warm"/> steps; NaN when no pair exists.</summary>
    public static double SeasonalNaiveScale(ReadOnlySpan<float> values, int period, int warm)
    {
        var sum = 0.0;
        var n = 0;
        var end = Math.Min(warm, values.Length);
        for (var t = period; t < end; t++)
        {
            var a = values[t];
            var b = values[t - period];
            if (!float.IsNaN(a) && !float.IsNaN(b))
            {
                sum += Math.Abs(a - b);
                n++;
            }
        }

        return n > 0 ? sum / n : double.NaN;
    }

    private static IForecaster CreateModel(string name, ForecastShape shape, EvaluationOptions options)
    {
        if (options.ExtraModels.TryGetValue(name, out var factory))
        {
            return factory(shape);
        }

        if (name == "ensemble" && options.ExtraEnsembleMembers.Count > 0)
        {
            var extra = options.ExtraEnsembleMembers.Select(n => options.ExtraModels[n](shape)).ToList();
            return ForecasterRegistry.CreateEnsemble(shape, extra, options.Ensemble);
        }

        return ForecasterRegistry.Create(name, shape, null, options.Ensemble);
    }

    private sealed class Accumulator
    {
        public double AbsError;
        public double Smape;
        public long Count;
        public long Covered80;
        public long Covered95;
        public double[] Pinball = [];
    }

    private static (IReadOnlyDictionary<int, IReadOnlyDictionary<ResourceKind, EvaluationMetrics>> Metrics, List<PlotTrack> Tracks) RunModel(
        IForecaster model, List<TraceSeries> series, List<int> included, double[] scales, int warm, ForecastShape shape, EvaluationOptions options)
    {
        var hn = shape.HorizonCount;
        var qn = shape.QuantileCount;
        var w = shape.Width;
        var iMed = shape.IndexOfQuantile(0.5);
        int i10 = shape.IndexOfQuantile(0.1), i90 = shape.IndexOfQuantile(0.9), i025 = shape.IndexOfQuantile(0.025), i975 = shape.IndexOfQuantile(0.975);

        // Lock-step batches: series sharing a start time advance together under one timestamp.
        var batches = included.GroupBy(i => series[i].StartSeconds).Select(g => g.ToArray()).ToList();
        var first = model.AddSeries(included.Count);
        var slotOf = new Dictionary<int, int>();
        for (var k = 0; k < included.Count; k++)
        {
            slotOf[included[k]] = first + k;
            model.DescribeSeries(first + k, series[included[k]].Key, series[included[k]].Group);
        }

        var acc = new Accumulator[included.Count * hn];
        for (var k = 0; k < acc.Length; k++)
        {
            acc[k] = new Accumulator { Pinball = new double[qn] };
        }

        var plotIdx = new Dictionary<int, int>();
        var plotSet = included.Take(options.PlotSeries).ToArray();
        var tracks = new List<PlotTrack>();
        var plotBuffers = new Dictionary<int, (double[] Actual, double[][] Forecast, int Start)>();
        foreach (var si in plotSet)
        {
            var len = series[si].Values.Length;
            var start = Math.Max(warm + shape.HorizonSteps[0], len - options.PlotSteps);
            var n = Math.Max(0, len - start);
            var f = new double[qn][];
            for (var q = 0; q < qn; q++)
            {
                f[q] = new double[n];
                Array.Fill(f[q], double.NaN);
            }

            var a = new double[n];
            for (var i = 0; i < n; i++)
            {
                a[i] = series[si].Values[start + i];
            }

            plotBuffers[si] = (a, f, start);
        }

        var maxLen = included.Count == 0 ? 0 : included.Max(i => series[i].Values.Length);
        var slots = new int[included.Count];
        var values = new double[included.Count];
        var output = new double[included.Count * w];
        var accIndex = new Dictionary<int, int>();
        for (var k = 0; k < included.Count; k++)
        {
            accIndex[included[k]] = k;
        }

        var firstObserved = options.ModelHistorySeconds > 0 ? Math.Max(0, warm - (options.ModelHistorySeconds / shape.StepSeconds)) : 0;
        // Cold start: every series new at once, or only every k-th entity's — the others (`mature`) observed from the
        // start and not scored.
        HashSet<int>? mature = null;
        if (options.ModelHistorySeconds > 0 && options.ColdEntityEvery > 1)
        {
            var entities = included.Select(i => series[i].Key.Name).Distinct().ToList();
            var newEntities = entities.Where((_, k) => k % options.ColdEntityEvery == 0).ToHashSet();
            mature = included.Where(i => !newEntities.Contains(series[i].Key.Name)).ToHashSet();
        }

        for (var t = mature is null ? firstObserved : 0; t < maxLen; t++)
        {
            foreach (var batch in batches)
            {
                var n = 0;
                foreach (var si in batch)
                {
                    if (t < series[si].Values.Length && (t >= firstObserved || mature!.Contains(si)))
                    {
                        slots[n] = slotOf[si];
                        values[n] = series[si].Values[t];
                        n++;
                    }
                }

                if (n == 0)
                {
                    continue;
                }

                var ts = series[batch[0]].StartSeconds + ((long)t * series[batch[0]].StepSeconds);
                model.Observe(ts, slots.AsSpan(0, n), values.AsSpan(0, n));
                if (t < warm - 1 || (t - warm + 1) % options.OriginStride != 0
                    || (options.ScoreWindowSeconds > 0 && t >= warm - 1 + (options.ScoreWindowSeconds / shape.StepSeconds)))
                {
                    continue;
                }

                model.Forecast(slots.AsSpan(0, n), output.AsSpan(0, n * w));
                var j = 0;
                foreach (var si in batch)
                {
                    if (t >= series[si].Values.Length)
                    {
                        continue;
                    }

                    // Every series is observed by now (origins start after the warm-up); mature ones are not scored.
                    var row = output.AsSpan(j * w, w);
                    j++;
                    if (mature?.Contains(si) == true)
                    {
                        continue;
                    }

                    var vals = series[si].Values;
                    var scale = scales[si];
                    for (var h = 0; h < hn; h++)
                    {
                        var target = t + shape.HorizonSteps[h];
                        if (target >= vals.Length)
                        {
                            continue;
                        }

                        var y = (double)vals[target];
                        var f = row.Slice(h * qn, qn);
                        if (double.IsNaN(y) || double.IsNaN(f[iMed]))
                        {
                            continue;
                        }

                        if (h == 0 && plotBuffers.TryGetValue(si, out var pb) && target - pb.Start >= 0)
                        {
                            for (var q = 0; q < qn; q++)
                            {
                                pb.Forecast[q][target - pb.Start] = f[q];
                            }
                        }

                        var a = acc[(accIndex[si] * hn) + h];
                        var med = f[iMed];
                        a.AbsError += Math.Abs(y - med);
                        var denom = Math.Abs(y) + Math.Abs(med);
                        a.Smape += denom > 0 ? 2 * Math.Abs(y - med) / denom : 0;
                        a.Count++;
                        for (var q = 0; q < qn; q++)
                        {
                            var tau = shape.Quantiles[q];
                            var e = y - f[q];
                            a.Pinball[q] += (e >= 0 ? tau * e : (tau - 1) * e) / scale;
                        }

                        if (y >= f[i10] && y <= f[i90])
                        {
                            a.Covered80++;
                        }

                        if (y >= f[i025] && y <= f[i975])
                        {
                            a.Covered95++;
                        }
                    }
                }
            }
        }

        foreach (var si in plotSet)
        {
            var pb = plotBuffers[si];
            tracks.Add(new PlotTrack(series[si].Key.ToString(), model.Name, shape.HorizonSeconds(0), series[si].StartSeconds + ((long)pb.Start * series[si].StepSeconds),
                series[si].StepSeconds, pb.Actual, shape.Quantiles.ToArray(), pb.Forecast));
        }

        var byHorizon = new Dictionary<int, IReadOnlyDictionary<ResourceKind, EvaluationMetrics>>();
        for (var h = 0; h < hn; h++)
        {
            var byResource = new Dictionary<ResourceKind, EvaluationMetrics>();
            foreach (var group in included.GroupBy(i => series[i].Key.Resource).OrderBy(g => (int)g.Key))
            {
                double mase = 0, smape = 0;
                var pin = new double[qn];
                long points = 0, c80 = 0, c95 = 0;
                var used = 0;
                foreach (var si in group)
                {
                    var a = acc[(accIndex[si] * hn) + h];
                    if (a.Count == 0)
                    {
                        continue;
                    }

                    used++;
                    mase += a.AbsError / a.Count / scales[si];
                    smape += a.Smape / a.Count;
                    for (var q = 0; q < qn; q++)
                    {
                        pin[q] += a.Pinball[q] / a.Count;
                    }

                    points += a.Count;
                    c80 += a.Covered80;
                    c95 += a.Covered95;
                }

                if (used == 0)
                {
                    continue;
                }

                var pinball = new Dictionary<double, double>();
                for (var q = 0; q < qn; q++)
                {
                    pinball[shape.Quantiles[q]] = pin[q] / used;
                }

                byResource[group.Key] = new EvaluationMetrics
                {
                    Mase = mase / used,
                    Smape = smape / used,
                    Pinball = pinball,
                    Coverage80 = c80 / (double)points,
                    Coverage95 = c95 / (double)points,
                    Series = used,
                    Points = points,
                };
            }

            byHorizon[shape.HorizonSeconds(h)] = byResource;
        }

        return (byHorizon, tracks);
    }
}
