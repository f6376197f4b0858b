using System.CommandLine;
using System.Diagnostics;
using Trace = Prescient.Forecasting.Traces.Trace;
using System.Text.Json;
using Prescient.Abstractions.Forecasting;
using Prescient.Forecasting.Training;
using Prescient.Forecasting.Traces;

namespace Prescient.Cli.Commands;

/// <summary>
/// <c>prescient train --trace PATH [--format ...] -o MODEL [--horizons 5m,1h] [--series N] [--iterations N]
/// [--max-seconds S] [--hidden H] [--threads T] [--from MODEL] [--json]</c>: trains the global <c>lstm</c> offline and saves it.
/// With <c>--from</c> it fine-tunes that model instead (its step, horizons and quantiles; the last window of every series
/// held out): the result is written only when it beats the starting model on the held-out windows, else the command
/// exits with 3 and writes nothing — the same rule the engine's background fine-tuning follows.
/// </summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var trace = new Option<string>("--trace") { Description = "Trace file or folder", Required = true };
        var format = new Option<string>("--format") { Description = "bitbrains, swf, prescient-csv, cluster-csv or auto", DefaultValueFactory = _ => "auto" };
        var output = new Option<string>("--output", "-o") { Description = "Model file to write", Required = true };
        var horizons = new Option<string>("--horizons") { Description = "Comma-separated horizons the model predicts", DefaultValueFactory = _ => "1m,5m,1h" };
        var seriesOpt = new Option<int>("--series") { Description = "Entities to train on (0 = all)", DefaultValueFactory = _ => 0 };
        var iterations = new Option<int>("--iterations") { Description = "Adam steps", DefaultValueFactory = _ => 1500 };
        var maxSeconds = new Option<double>("--max-seconds") { Description = "Wall-clock cap", DefaultValueFactory = _ => 600 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden units", DefaultValueFactory = _ => 32 };
        var threads = new Option<int>("--threads") { Description = "Gradient worker threads", DefaultValueFactory = _ => 2 };
        var step = new Option<int>("--step") { Description = "Grid step in seconds for SWF traces", DefaultValueFactory = _ => 300 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object to stdout" };
        var from = new Option<string?>("--from") { Description = "Fine-tune this model (written by train) instead of training from scratch; exits 3 without writing when not better on held-out windows" };
        var learningRate = new Option<double>("--learning-rate") { Description = "Adam learning rate (default 0.003; 0.001 with --from)" };
        var command = new Command("train", "Train the global LSTM forecaster (BPTT + Adam on the pinball loss) on a trace and save it.")
        {
            trace, format, output, horizons, seriesOpt, iterations, maxSeconds, hidden, threads, step, json, from, learningRate,
        };
        command.SetAction((parse, ct) =>
        {
            var error = Console.Error;
            var horizonSeconds = new List<int>();
            foreach (var part in parse.GetValue(horizons)!.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!ForecastShape.TryParseDuration(part, out var s))
                {
                    error.WriteLine($"prescient train: --horizons: '{part}' is not a duration like 5m or 1h");
                    return Task.FromResult(2);
                }

                horizonSeconds.Add(s);
            }

            horizonSeconds.Sort();
            Trace data;
            try
            {
                data = TraceReader.Read(parse.GetValue(trace)!, parse.GetValue(format)!, parse.GetValue(step), parse.GetValue(seriesOpt));
            }
            catch (TraceFormatException e)
            {
                error.WriteLine($"prescient train: {e.Message}");
                return Task.FromResult(2);
            }

            error.WriteLine($"read {data.Series.Count} series ({data.Format}, step {data.StepSeconds} s); dropped/repaired: {data.Diagnostics.Total}");
            var startPath = parse.GetValue(from);
            var rate = parse.GetValue(learningRate);
            if (rate < 0 || double.IsNaN(rate))
            {
                error.WriteLine("prescient train: --learning-rate must be positive");
                return Task.FromResult(2);
            }

            var options = new LstmTrainingOptions
            {
                Iterations = parse.GetValue(iterations),
                MaxSeconds = parse.GetValue(maxSeconds),
                HiddenSize = parse.GetValue(hidden),
                Threads = parse.GetValue(threads),
                LearningRate = rate > 0 ? rate : startPath is null ? 0.003 : 0.001,
            };
            if (startPath is not null)
            {
                return Task.FromResult(FineTune(startPath, data, options, parse.GetValue(output)!, parse.GetValue(json), ct));
            }

            LstmModel model;
            var sw = Stopwatch.StartNew();
            try
            {
                var shape = ForecastShape.ForStep(data.StepSeconds, horizonSeconds.ToArray(), ForecastShape.EvaluationQuantiles);
                model = LstmTrainer.Train(data.Series, data.StepSeconds, shape.HorizonSteps, shape.Quantiles, options, line => error.WriteLine("  " + line));
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"prescient train: {e.Message}");
                return Task.FromResult(2);
            }

            var path = parse.GetValue(output)!;
            try
            {
                model.Save(path);
            }
            catch (IOException e)
            {
                error.WriteLine($"prescient train: cannot write {path}: {e.Message}");
                return Task.FromResult(1);
            }

            error.WriteLine($"saved {path}: {model.TrainingSummary}");
            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                using var w = new Utf8JsonWriter(stdout);
                w.WriteStartObject();
                w.WriteString("model", path);
                w.WriteString("summary", model.TrainingSummary);
                w.WriteNumber("series", data.Series.Count);
                w.WriteNumber("seconds", Math.Round(sw.Elapsed.TotalSeconds, 1));
                w.WriteEndObject();
                w.Flush();
                Console.Out.WriteLine();
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static int FineTune(string startPath, Trace data, LstmTrainingOptions options, string path, bool json, CancellationToken ct)
    {
        var error = Console.Error;
        LstmModel start;
        try
        {
            start = LstmModel.Load(startPath);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine($"prescient train: --from: {e.Message}");
            return 2;
        }

        if (start.StepSeconds != data.StepSeconds)
        {
            error.WriteLine($"prescient train: --from {startPath} was trained on a {start.StepSeconds} s step; the trace's step is {data.StepSeconds} s");
            return 2;
        }

        options.HiddenSize = start.Spec.HiddenSize;
        var tuning = LstmTrainer.FineTune(start, data.Series, options, ct);
        error.WriteLine($"fine-tuning {startPath} on {tuning.Series} series: {tuning.Iterations} iterations in {tuning.Seconds:F0} s, held-out pinball {tuning.LossBefore:F4} → {tuning.LossAfter:F4}: {tuning.Outcome}");
        if (tuning.Model is not null)
        {
            try
            {
                tuning.Model.Save(path);
            }
            catch (IOException e)
            {
                error.WriteLine($"prescient train: cannot write {path}: {e.Message}");
                return 1;
            }

            error.WriteLine($"saved {path}");
        }

        if (json)
        {
            using var stdout = Console.OpenStandardOutput();
            using var w = new Utf8JsonWriter(stdout);
            w.WriteStartObject();
            w.WriteString("model", tuning.Model is null ? null : path);
            w.WriteString("from", startPath);
            w.WriteBoolean("accepted", tuning.Model is not null);
            w.WriteString("outcome", tuning.Outcome);
            w.WriteNumber("series", tuning.Series);
            w.WriteNumber("iterations", tuning.Iterations);
            if (double.IsFinite(tuning.LossBefore) && double.IsFinite(tuning.LossAfter))
            {
                w.WriteNumber("held_out_pinball_before", Math.Round(tuning.LossBefore, 6));
                w.WriteNumber("held_out_pinball_after", Math.Round(tuning.LossAfter, 6));
            }

            w.WriteNumber("seconds", Math.Round(tuning.Seconds, 1));
            w.WriteEndObject();
            w.Flush();
            Console.Out.WriteLine();
        }

        return tuning.Model is null ? 3 : 0;
    }
}
