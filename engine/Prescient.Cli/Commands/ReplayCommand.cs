using System.CommandLine;
using System.Globalization;
using Prescient.Forecasting.Traces;
using Prescient.Replay.Policies;
using Prescient.Replay.Reporting;
using Prescient.Replay.Simulation;
using Prescient.Replay.Workloads;
using Spectre.Console;

namespace Prescient.Cli.Commands;

/// <summary>
/// <c>prescient replay</c>: plays a workload (a real trace, or the built-in synthetic one) through every policy
/// — static, reactive, vpa, autopilot and Prescient's own predictive orchestrator — with one accounting, and
/// reports shortfall, slack, OOM-equivalents, changes and spike handling; optionally an HTML report.
/// </summary>
public static class ReplayCommand
{
    public static readonly string[] AllPolicies = ["static", "reactive", "vpa", "autopilot", "predictive"];

    /// <summary>The risk setting predictive uses unless told otherwise: the quantile it provisions to.</summary>
    public const double DefaultRisk = 0.99;

    public static Command Create()
    {
        var trace = new Option<string?>("--trace") { Description = "Trace to replay (a Bitbrains folder, an SWF log, a prescient-csv file); default: the built-in synthetic workload" };
        var format = new Option<string>("--format") { Description = "Trace format: auto, bitbrains, swf, prescient-csv", DefaultValueFactory = _ => "auto" };
        var nodes = new Option<int>("--nodes") { Description = "Nodes of the simulated cluster (default: one per 5 jobs)" };
        var jobs = new Option<int>("--jobs") { Description = "Jobs of the synthetic workload, or the most trace entities replayed (0 = all)", DefaultValueFactory = _ => 0 };
        var policy = new Option<string>("--policy") { Description = "all, or a comma-separated list of static, reactive, vpa, autopilot, predictive", DefaultValueFactory = _ => "all" };
        var hours = new Option<double>("--hours") { Description = "Hours replayed (default: 72 for the synthetic workload, the whole trace otherwise)" };
        var output = new Option<string?>("--out") { Description = "Write report.html (with plots) and report.json to this directory" };
        var json = new Option<bool>("--json") { Description = "Print one JSON document on stdout (the summary table goes to stderr)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic workload", DefaultValueFactory = _ => 42 };
        var sweep = new Option<bool>("--sweep") { Description = "Also run predictive at every risk setting (0.5, 0.9, 0.99) to trace its slack-shortfall curve" };
        var risk = new Option<double>("--risk") { Description = "Quantile predictive provisions to: 0.5, 0.9 or 0.99", DefaultValueFactory = _ => DefaultRisk };
        var model = new Option<string>("--model") { Description = "Forecasting model predictive uses", DefaultValueFactory = _ => "ensemble" };
        var command = new Command("replay", "Replay a workload through the whole engine and the reactive schedulers people use today; compare them.")
        {
            trace, format, nodes, jobs, policy, hours, output, json, seed, sweep, risk, model,
        };
        command.SetAction((parse, ct) =>
        {
            var err = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            if (Console.IsErrorRedirected)
            {
                err.Profile.Width = 160;
            }

            try
            {
                var selected = ParsePolicies(parse.GetValue(policy)!);
                var riskQuantile = parse.GetValue(risk);
                if (riskQuantile is not (0.5 or 0.9 or 0.99))
                {
                    throw new ArgumentException($"--risk {riskQuantile.ToString(CultureInfo.InvariantCulture)}: predictive provisions to 0.5, 0.9 or 0.99");
                }

                var workload = LoadWorkload(parse.GetValue(trace), parse.GetValue(format)!, parse.GetValue(hours), parse.GetValue(jobs), parse.GetValue(seed));
                var nodeCount = parse.GetValue(nodes) is > 0 and var n ? n : Math.Max(1, (workload.JobCount + 4) / 5);
                var cluster = new SimulatedCluster(workload, nodeCount);
                var traced = ChooseTracedJobs(workload);
                var runs = new List<(IReplayPolicy Policy, bool Sweep)>();
                foreach (var name in selected)
                {
                    runs.Add((CreatePolicy(name, riskQuantile, parse.GetValue(model)!), false));
                }

                if (parse.GetValue(sweep))
                {
                    foreach (var q in new[] { 0.5, 0.9, 0.99 })
                    {
                        runs.Add((new PredictivePolicy(q, parse.GetValue(model)!), true));
                    }
                }

                err.MarkupLine(CultureInfo.InvariantCulture, $"[grey]replaying {Markup.Escape(workload.Source)}: {workload.JobCount} jobs on {cluster.NodeCount} nodes, {workload.Steps} steps of {workload.StepSeconds} s[/]");
                var policies = new List<PolicyRun>();
                var sweepRuns = new List<PolicyRun>();
                err.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(progress =>
                    {
                        foreach (var (p, isSweep) in runs)
                        {
                            var label = isSweep ? $"predictive q={((PredictivePolicy)p).RiskQuantile.ToString(CultureInfo.InvariantCulture)}" : p.Name;
                            var task = progress.AddTask(label, maxValue: workload.Steps);
                            var run = ReplayRunner.Run(cluster, p, traced, (done, _) => task.Value = done);
                            (isSweep ? sweepRuns : policies).Add(run);
                            ct.ThrowIfCancellationRequested();
                        }
                    });

                var result = new ReplayResult(workload.Source, workload.JobCount, cluster.NodeCount, workload.Steps, workload.StepSeconds, parse.GetValue(seed), policies, sweepRuns);
                var summary = parse.GetValue(json) ? err : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
                if (!parse.GetValue(json) && Console.IsOutputRedirected)
                {
                    summary.Profile.Width = 160;
                }

                WriteSummary(summary, result);
                if (parse.GetValue(output) is { } directory)
                {
                    var path = ReplayReport.Write(directory, result);
                    err.MarkupLine($"report: [link]{Markup.Escape(Path.GetFullPath(path))}[/]");
                }

                if (parse.GetValue(json))
                {
                    using var stdout = Console.OpenStandardOutput();
                    ReplayJson.Write(stdout, result);
                    stdout.WriteByte((byte)'\n');
                }

                return Task.FromResult(0);
            }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or TraceFormatException or UnauthorizedAccessException or InvalidOperationException)
            {
                Console.Error.WriteLine("prescient replay: " + e.Message);
                return Task.FromResult(2);
            }
        });
        return command;
    }

    private static string[] ParsePolicies(string value)
    {
        if (value == "all")
        {
            return AllPolicies;
        }

        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names)
        {
            if (!AllPolicies.Contains(name))
            {
                throw new ArgumentException($"--policy: unknown policy '{name}'; use all or a list of {string.Join(", ", AllPolicies)}");
            }
        }

        return names.Length == 0 ? throw new ArgumentException("--policy: no policy named") : names.Distinct().ToArray();
    }

    private static IReplayPolicy CreatePolicy(string name, double risk, string model) => name switch
    {
        "static" => new StaticPolicy(),
        "reactive" => new ReactivePolicy(),
        "vpa" => new ForecasterPolicy("vpa"),
        "autopilot" => new ForecasterPolicy("autopilot"),
        _ => new PredictivePolicy(risk, model),
    };

    private static ReplayWorkload LoadWorkload(string? trace, string format, double hours, int jobs, int seed)
    {
        if (hours < 0 || !double.IsFinite(hours))
        {
            throw new ArgumentException($"--hours {hours}: must be a positive number of hours");
        }

        if (trace is null)
        {
            return WorkloadBuilder.Synthetic(jobs > 0 ? jobs : 60, hours > 0 ? hours : 72, seed);
        }

        if (!File.Exists(trace) && !Directory.Exists(trace))
        {
            throw new ArgumentException($"--trace: '{trace}' does not exist");
        }

        var read = TraceReader.Read(trace, format);
        var maxSteps = hours > 0 ? (int)Math.Ceiling(hours * 3600 / read.StepSeconds) : 0;
        return WorkloadBuilder.FromTrace(read, maxSteps, jobs);
    }

    /// <summary>Two jobs worth looking at: the one with the most CPU variation and the one with the highest memory.</summary>
    private static int[] ChooseTracedJobs(ReplayWorkload workload)
    {
        const int r = ReplayResources.Count;
        int busiest = 0, heaviest = 0;
        double bestVariation = -1, bestMemory = -1;
        for (var j = 0; j < workload.JobCount; j++)
        {
            var cpu = workload.Demand[j * r];
            double sum = 0, sumSquares = 0;
            foreach (var v in cpu)
            {
                sum += v;
                sumSquares += v * v;
            }

            var variation = Math.Sqrt(Math.Max(0, (sumSquares / cpu.Length) - Math.Pow(sum / cpu.Length, 2)));
            if (variation > bestVariation)
            {
                (bestVariation, busiest) = (variation, j);
            }

            var memory = workload.Request[(j * r) + 1];
            if (memory > bestMemory)
            {
                (bestMemory, heaviest) = (memory, j);
            }
        }

        return busiest == heaviest ? [busiest] : [busiest, heaviest];
    }

    private static void WriteSummary(IAnsiConsole console, ReplayResult result)
    {
        foreach (var resource in result.Resources)
        {
            var table = new Table().Title(resource.Name()).AddColumns("policy", "shortfall", "slack", "shortfall events", "OOM events", "changes", "spikes ahead", "reaction s");
            foreach (var run in result.Policies.Concat(result.Sweep))
            {
                var o = run.Outcomes[resource];
                table.AddRow(
                    run.Policy + (run.RiskQuantile is { } q ? $" q={q.ToString(CultureInfo.InvariantCulture)}" : ""),
                    o.Shortfall.ToString("0.0000", CultureInfo.InvariantCulture),
                    o.Slack.ToString("0.0000", CultureInfo.InvariantCulture),
                    o.ShortfallEvents.ToString(CultureInfo.InvariantCulture),
                    o.OomEvents.ToString(CultureInfo.InvariantCulture),
                    o.Changes.ToString(CultureInfo.InvariantCulture),
                    $"{o.PreprovisionedSpikeShare.ToString("P0", CultureInfo.InvariantCulture)} of {o.Spikes}",
                    o.MeanReactionSeconds.ToString("0", CultureInfo.InvariantCulture));
            }

            console.Write(table);
        }
    }
}
