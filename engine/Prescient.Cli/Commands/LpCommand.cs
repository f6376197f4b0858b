using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Prescient.Optimization.Allocation;
using Prescient.Optimization.Ipm;
using Prescient.Optimization.Model;
using Prescient.Optimization.Mps;
using Command = System.CommandLine.Command;

namespace Prescient.Cli.Commands;

/// <summary>
/// <c>prescient lp solve FILE.mps [--json] [--time-limit SECONDS] [--path general|structured|auto]</c> and
/// <c>prescient lp gen-allocation --nodes N --jobs J [--resources 4] [--seed S] -o FILE.mps</c>.
/// Exit codes: 0 optimal (or file written), 1 solved with another status, 2 bad input or usage.
/// </summary>
public static class LpCommand
{
    public static Command Create()
    {
        var command = new Command("lp", "Linear programming: solve MPS files with the interior-point solver, generate allocation LPs.");
        command.Subcommands.Add(CreateSolve());
        command.Subcommands.Add(CreateGenerateAllocation());
        return command;
    }

    private static Command CreateSolve()
    {
        var file = new Argument<string>("FILE") { Description = "MPS file (fixed or free format)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (status, objective, iterations, seconds, residuals)" };
        var timeLimit = new Option<double?>("--time-limit") { Description = "Solve time budget in seconds; running out returns time_limit with the best point" };
        var path = new Option<string>("--path") { Description = "general (presolve, sparse Cholesky), structured (block-angular Schur complement, no presolve) or auto (the allocation LP's shape solved exactly when its point passes the KKT check, else presolve and the structure found)", DefaultValueFactory = _ => "auto" };
        path.AcceptOnlyFromAmong("general", "structured", "auto");
        var command = new Command("solve", "Solve an LP given in MPS format.") { file, json, timeLimit, path };
        command.SetAction((parse, ct) =>
        {
            var fileName = parse.GetValue(file)!;
            var limit = parse.GetValue(timeLimit);
            if (limit is { } seconds && !(seconds > 0 && double.IsFinite(seconds)))
            {
                return Task.FromResult(Fail($"--time-limit must be a positive number of seconds, not {seconds.ToString(CultureInfo.InvariantCulture)}"));
            }

            LinearProgram lp;
            try
            {
                lp = MpsReader.ReadFile(fileName);
            }
            catch (MpsFormatException e)
            {
                return Task.FromResult(Fail(e.Message));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Task.FromResult(Fail($"cannot read '{fileName}': {e.Message}"));
            }

            var options = new InteriorPointOptions
            {
                TimeLimit = limit is { } s ? TimeSpan.FromSeconds(s) : null,
                Path = parse.GetValue(path) switch
                {
                    "general" => SolverPath.General,
                    "structured" => SolverPath.Structured,
                    _ => SolverPath.Auto,
                },
            };

            LpResult result;
            try
            {
                result = InteriorPointSolver.Solve(lp, options);
            }
            catch (ArgumentException e)
            {
                return Task.FromResult(Fail($"{fileName}: {e.Message}"));
            }
            catch (InvalidOperationException e)
            {
                return Task.FromResult(Fail($"{fileName}: {e.Message}"));
            }

            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
                {
                    LpResultJson.Write(writer, result, lp, fileName);
                }

                stdout.WriteByte((byte)'\n');
            }
            else
            {
                var inv = CultureInfo.InvariantCulture;
                Console.WriteLine($"file        {fileName} ({lp.RowCount} rows, {lp.ColumnCount} columns, {lp.NonZeroCount} nonzeros)");
                Console.WriteLine($"status      {result.Status.Name()} ({result.Reason})");
                Console.WriteLine(string.Create(inv, $"objective   {result.Objective:R}"));
                Console.WriteLine($"iterations  {result.Iterations}");
                Console.WriteLine(string.Create(inv, $"seconds     {result.Seconds:F4}"));
                Console.WriteLine(string.Create(inv, $"residuals   primal {result.PrimalResidual:E2}  dual {result.DualResidual:E2}  gap {result.RelativeGap:E2}"));
                Console.WriteLine($"path        {result.Path}");
                Console.WriteLine($"presolve    removed {result.PresolveRemovedRows} rows, {result.PresolveRemovedColumns} columns ({lp.RowCount - result.PresolveRemovedRows} × {lp.ColumnCount - result.PresolveRemovedColumns} left for the iteration)");
            }

            return Task.FromResult(result.Status == LpStatus.Optimal ? 0 : 1);
        });
        return command;
    }

    private static Command CreateGenerateAllocation()
    {
        var nodes = new Option<int>("--nodes") { Description = "Number of nodes", Required = true };
        var jobs = new Option<int>("--jobs") { Description = "Number of jobs", Required = true };
        var resources = new Option<int>("--resources") { Description = "Resources per job (cpu, memory, network, storage, ...)", DefaultValueFactory = _ => 4 };
        var seed = new Option<int>("--seed") { Description = "Random seed of the synthetic cluster state", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--output", "-o") { Description = "MPS file to write", Required = true };
        var command = new Command("gen-allocation", "Write the orchestrator's allocation LP for a synthetic cluster state as MPS (same builder as the planning cycle).")
        {
            nodes, jobs, resources, seed, output,
        };
        command.SetAction((parse, ct) =>
        {
            var n = parse.GetValue(nodes);
            var j = parse.GetValue(jobs);
            var r = parse.GetValue(resources);
            if (n < 1 || j < 0 || r < 1)
            {
                return Task.FromResult(Fail("--nodes and --resources must be ≥ 1 and --jobs ≥ 0"));
            }

            var state = SyntheticCluster.Create(n, j, r, parse.GetValue(seed));
            var builder = new AllocationLpBuilder();
            builder.Build(state);
            builder.AssignNames(state);
            var lp = builder.Model!;
            var file = parse.GetValue(output)!;
            try
            {
                MpsWriter.WriteFile(lp, file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Task.FromResult(Fail($"cannot write '{file}': {e.Message}"));
            }

            Console.Error.WriteLine($"wrote {file}: {lp.RowCount} rows, {lp.ColumnCount} columns, {lp.NonZeroCount} nonzeros");
            return Task.FromResult(0);
        });
        return command;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"prescient lp: {message}");
        return 2;
    }
}
