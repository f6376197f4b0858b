using System.Text.Json;

namespace Prescient.IntegrationTests;

/// <summary><c>prescient lp gen-allocation</c> and <c>prescient lp solve</c>, run as a user would.</summary>
public sealed class LpCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("prescient-lp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task GenAllocationThenSolve_Json_OneDocumentWithTheOptimum()
    {
        var file = Path.Combine(_dir, "alloc.mps");
        var gen = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromMinutes(2), "lp", "gen-allocation", "--nodes", "50", "--jobs", "250", "--seed", "3", "-o", file);
        Assert.True(gen.ExitCode == 0, gen.StandardError);
        Assert.True(File.Exists(file));

        var results = new List<JsonElement>();
        foreach (var path in new[] { "auto", "general", "structured" })
        {
            var solve = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromMinutes(2), "lp", "solve", file, "--json", "--path", path);
            Assert.True(solve.ExitCode == 0, solve.StandardError);
            using var doc = JsonDocument.Parse(solve.StandardOutput);
            var root = doc.RootElement.Clone();
            Assert.Equal("optimal", root.GetProperty("status").GetString());
            Assert.Equal(204, root.GetProperty("rows").GetInt32()); // 50 nodes × 4 resources + uplink + 3 filesystems
            Assert.Equal(250 * 4 * 4, root.GetProperty("columns").GetInt32());
            Assert.True(root.GetProperty("seconds").GetDouble() > 0);
            Assert.True(root.GetProperty("relative_gap").GetDouble() <= 1e-7, solve.StandardOutput);
            results.Add(root);
        }

        // Auto recognizes the allocation LP's shape and solves it exactly (knapsacks and priced linking rows, no
        // iteration); the general path's presolve removes the knapsack rows; the structured path runs without it; all
        // three reach the same optimum.
        Assert.Equal("linked", results[0].GetProperty("path").GetString());
        Assert.Equal(0, results[0].GetProperty("iterations").GetInt32());
        Assert.True(results[1].GetProperty("presolve_removed_rows").GetInt32() > 0);
        Assert.Equal(0, results[2].GetProperty("presolve_removed_rows").GetInt32());
        var objective = results[0].GetProperty("objective").GetDouble();
        foreach (var r in results)
        {
            Assert.Equal(objective, r.GetProperty("objective").GetDouble(), 1e-6 * Math.Abs(objective));
        }
    }

    [Fact]
    public async Task Solve_MalformedOrMissingFileOrBadOption_ClearErrorsAndExitCode2()
    {
        var file = Path.Combine(_dir, "bad.mps");
        await File.WriteAllTextAsync(file, "NAME bad\nROWS\n N obj\n L r1\nCOLUMNS\n    x obj 1 r1 not-a-number\nRHS\n    rhs r1 1\nENDATA\n", TestContext.Current.CancellationToken);
        var bad = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromMinutes(2), "lp", "solve", file, "--json");
        Assert.Equal(2, bad.ExitCode);
        Assert.Empty(bad.StandardOutput);
        Assert.Contains("bad.mps:6: 'not-a-number' is not a number", bad.StandardError);

        var missing = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromMinutes(2), "lp", "solve", Path.Combine(_dir, "none.mps"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("none.mps", missing.StandardError);

        // A value outside an option's choices is bad input too (exit 2, not 1: that means "solved, not optimal").
        var path = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromMinutes(2), "lp", "solve", file, "--path", "bogus");
        Assert.Equal(2, path.ExitCode);
        Assert.Contains("'bogus'", path.StandardError);
    }
}
