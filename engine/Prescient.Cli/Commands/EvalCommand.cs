using System.CommandLine;
using System.Globalization;
using Prescient.Abstractions.Forecasting;
using Prescient.Abstractions.Telemetry;
using Prescient.Forecasting.Evaluation;
using Prescient.Forecasting.Models;
using Prescient.Forecasting.Training;
using Prescient.Forecasting.Traces;

namespace Prescient.Cli.Commands;

/// <summary>
/// <c>prescient eval --trace PATH [--format bitbrains|swf|prescient-csv|cluster-csv|auto] [--horizons 5m,1h]
/// [--series N] [--models LIST] [--lstm MODEL] [--history 6h --score-window 24h [--cold-every K]] [--json] [--plots DIR]</c>: rolling-origin
/// evaluation of every model; with <c>--history</c> every model starts from that much of each series (cold start).
/// </summary>
public static class EvalCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var trace = new Option<string>("--trace") { Description = "Trace file or folder", Required = true };
        var format = new Option<string>("--format") { Description = "bitbrains, swf, prescient-csv, cluster-csv or auto", DefaultValueFactory = _ => "auto" };
        var horizons = new Option<string>("--horizons") { Description = "Comma-separated horizons (30s, 5m, 1h, 1d)", DefaultValueFactory = _ => "1m,5m,1h" };
        var seriesOpt = new Option<int>("--series") { Description = "Entities (VMs, users) to evaluate, with all their resources; 0 = all", DefaultValueFactory = _ => 0 };
        var models = new Option<string>("--models") { Description = "Comma-separated model names (default: all)" };
        var lstm = new Option<string?>("--lstm") { Description = "A model file from 'prescient train': adds 'lstm' and makes it an ensemble member" };
        var warmup = new Option<string>("--warmup") { Description = "History before the first scored origin (also the MASE scale window)", DefaultValueFactory = _ => "7d" };
        var history = new Option<string?>("--history") { Description = "Cold start: models see only this much of each series before the first scored origin (e.g. 6h); default all of the warm-up" };
        var scoreWindow = new Option<string?>("--score-window") { Description = "Score only the origins within this long after the warm-up (e.g. 24h); default all" };
        var coldEvery = new Option<int>("--cold-every") { Description = "With --history: only every K-th entity starts new and is scored; the others are observed from the start (a new VM among mature ones)", DefaultValueFactory = _ => 0 };
        var stride = new Option<int>("--stride") { Description = "Steps between scored origins", DefaultValueFactory = _ => 1 };
        var step = new Option<int>("--step") { Description = "Grid step in seconds for SWF traces", DefaultValueFactory = _ => 300 };
        var threads = new Option<int>("--threads") { Description = "Models evaluated in parallel", DefaultValueFactory = _ => 1 };
        var ensemble = new Option<string?>("--ensemble") { Description = "Ensemble tuning as key=value pairs: loss-decay, sharpness, scale-decay, conformal-step, prior-steps, median-step, quantile-loss-decay, quantile-sharpness, second-stage-step, second-stage-young-boost, member-ceiling" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object to stdout (progress goes to stderr)" };
        var plots = new Option<string?>("--plots") { Description = "Folder for PNG/SVG plots of actual vs forecast with bands" };
        var command = new Command("eval", "Rolling-origin evaluation of every forecaster on a trace: MASE, sMAPE, pinball, coverage per horizon and resource.")
        {
            trace, format, horizons, seriesOpt, models, lstm, warmup, history, scoreWindow, coldEvery, stride, step, threads, ensemble, json, plots,
        };
        command.SetAction((parse, ct) =>
        {
            var error = Console.Error;
            var horizonSeconds = new List<int>();
            foreach (var part in parse.GetValue(horizons)!.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!ForecastShape.TryParseDuration(part, out var s))
                {
                    error.WriteLine($"prescient eval: --horizons: '{part}' is not a duration like 5m or 1h");
                    return Task.FromResult(2);
                }

                horizonSeconds.Add(s);
            }

            if (!ForecastShape.TryParseDuration(parse.GetValue(warmup)!, out var warmupSeconds))
            {
                error.WriteLine($"prescient eval: --warmup: '{parse.GetValue(warmup)}' is not a duration");
                return Task.FromResult(2);
            }

            var historySeconds = 0;
            if (parse.GetValue(history) is { } historyText && !ForecastShape.TryParseDuration(historyText, out historySeconds))
            {
                error.WriteLine($"prescient eval: --history: '{historyText}' is not a duration like 6h");
                return Task.FromResult(2);
            }

            var scoreWindowSeconds = 0;
            if (parse.GetValue(scoreWindow) is { } windowText && !ForecastShape.TryParseDuration(windowText, out scoreWindowSeconds))
            {
                error.WriteLine($"prescient eval: --score-window: '{windowText}' is not a duration like 24h");
                return Task.FromResult(2);
            }

            if (parse.GetValue(coldEvery) > 1 && historySeconds == 0)
            {
                error.WriteLine("prescient eval: --cold-every needs --history (how much of a new entity's series the models see)");
                return Task.FromResult(2);
            }

            if (historySeconds > warmupSeconds)
            {
                error.WriteLine($"prescient eval: --history ({historySeconds} s) cannot be longer than --warmup ({warmupSeconds} s)");
                return Task.FromResult(2);
            }

            horizonSeconds.Sort();
            var names = parse.GetValue(models) is { Length: > 0 } list
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList()
                : ForecasterRegistry.Names.ToList();
            var options = new EvaluationOptions
            {
                HorizonSeconds = horizonSeconds,
                MaxEntities = parse.GetValue(seriesOpt),
                WarmupSeconds = warmupSeconds,
                OriginStride = Math.Max(1, parse.GetValue(stride)),
                ModelHistorySeconds = historySeconds,
                ScoreWindowSeconds = scoreWindowSeconds,
                ColdEntityEvery = Math.Max(0, parse.GetValue(coldEvery)),
                Parallelism = Math.Max(1, parse.GetValue(threads)),
            };

            if (parse.GetValue(lstm) is { } modelPath)
            {
                LstmModel model;
                try
                {
                    model = LstmModel.Load(modelPath);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    error.WriteLine($"prescient eval: --lstm: {e.Message}");
                    return Task.FromResult(2);
                }

                options.ExtraModels = new Dictionary<string, Func<ForecastShape, IForecaster>> { ["lstm"] = s => new LstmForecaster(s, model) };
                options.ExtraEnsembleMembers = ["lstm"];
                if (!names.Contains("lstm"))
                {
                    names.Insert(Math.Max(0, names.IndexOf("ensemble")), "lstm");
                }
            }

            foreach (var n in names)
            {
                if (!ForecasterRegistry.Names.Contains(n) && !options.ExtraModels.ContainsKey(n))
                {
                    error.WriteLine($"prescient eval: --models: unknown model '{n}' (known: {string.Join(", ", ForecasterRegistry.Names)}, lstm with --lstm)");
                    return Task.FromResult(2);
                }
            }

            options.Models = names;
            if (parse.GetValue(ensemble) is { Length: > 0 } tuning)
            {
                try
                {
                    options.Ensemble = ParseEnsemble(tuning);
                }
                catch (Exception e) when (e is FormatException or ArgumentException)
                {
                    error.WriteLine($"prescient eval: --ensemble: {e.Message}");
                    return Task.FromResult(2);
                }
            }

            Trace data;
            try
            {
                data = TraceReader.Read(parse.GetValue(trace)!, parse.GetValue(format)!, parse.GetValue(step), parse.GetValue(seriesOpt));
            }
            catch (TraceFormatException e)
            {
                error.WriteLine($"prescient eval: {e.Message}");
                return Task.FromResult(2);
            }

            error.WriteLine($"read {data.Series.Count} series ({data.Format}, step {data.StepSeconds} s) from {data.Source}; dropped/repaired: {data.Diagnostics.Total}");
            foreach (var (reason, count) in data.Diagnostics.Counts)
            {
                error.WriteLine($"  {reason}: {count}");
            }

            EvaluationReport report;
            try
            {
                report = Evaluator.Run(data, options, line => error.WriteLine("  " + line));
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"prescient eval: {e.Message}");
                return Task.FromResult(2);
            }

            error.WriteLine($"evaluated {report.SeriesEvaluated} series; excluded {report.SeriesExcluded} with a zero or undefined MASE scale");
            if (parse.GetValue(plots) is { } dir)
            {
                var written = EvaluationPlots.Write(report, dir);
                error.WriteLine($"wrote {written} plot files to {dir}");
            }

            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                EvaluationJson.Write(report, stdout);
                Console.Out.WriteLine();
            }
            else
            {
                WriteTable(report);
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static EnsembleOptions ParseEnsemble(string text)
    {
        var o = new EnsembleOptions();
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv.Length != 2 || !double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                throw new FormatException($"'{pair}' is not key=number");
            }

            switch (kv[0])
            {
                case "loss-decay": o.LossDecay = v; break;
                case "sharpness": o.Sharpness = v; break;
                case "scale-decay": o.ScaleDecay = v; break;
                case "conformal-step": o.ConformalStep = v; break;
                case "prior-steps": o.PriorSteps = v; break;
                case "median-step": o.MedianStepFraction = v; break;
                case "quantile-loss-decay": o.QuantileLossDecay = v; break;
                case "quantile-sharpness": o.QuantileSharpness = v; break;
                case "second-stage-step": o.SecondStageStepFraction = v; break;
                case "member-ceiling": o.MemberCeiling = v; break;
                case "second-stage-young-boost": o.SecondStageYoungBoost = v; break;
                default: throw new FormatException($"unknown key '{kv[0]}'");
            }
        }

        o.Validate();
        return o;
    }

    private static void WriteTable(EvaluationReport report)
    {
        var o = Console.Out;
        o.WriteLine($"{"model",-22} {"horizon",7} {"resource",-10} {"MASE",7} {"sMAPE",7} {"pb0.5",8} {"pb0.9",8} {"pb0.99",8} {"cov80",6} {"cov95",6}");
        foreach (var (model, horizons) in report.Models)
        {
            foreach (var (h, resources) in horizons.OrderBy(kv => kv.Key))
            {
                foreach (var (r, m) in resources.OrderBy(kv => (int)kv.Key))
                {
                    o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{model,-22} {ForecastShape.FormatDuration(h),7} {r.Name(),-10} {m.Mase,7:F3} {m.Smape,7:F3} {m.Pinball[0.5],8:F4} {m.Pinball[0.9],8:F4} {m.Pinball[0.99],8:F4} {m.Coverage80,6:F3} {m.Coverage95,6:F3}"));
                }
            }
        }
    }
}
