using System.Text.Json;

namespace Prescient.IntegrationTests;

/// <summary><c>prescient eval</c>'s cold-start options (<c>--history</c>, <c>--score-window</c>), run as a user would.</summary>
public sealed class EvalCommandTests
{
    [Fact]
    public async Task Eval_ColdStartWindow_ScoresOnlyThatWindow()
    {
        var trace = Path.Combine(DataRoot(), "bitbrains-rnd", "2013-8");
        Prerequisite.Require(Directory.Exists(trace), $"Bitbrains trace at {trace} (set PRESCIENT_DATA)");
        var common = new[] { "eval", "--trace", trace, "--format", "bitbrains", "--series", "2", "--horizons", "5m", "--models", "persistence,ensemble", "--history", "6h", "--json" };
        var shortWindow = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromMinutes(3), [.. common, "--score-window", "2h"]);
        var longWindow = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromMinutes(3), [.. common, "--score-window", "12h"]);
        Assert.True(shortWindow.ExitCode == 0, shortWindow.StandardError);
        Assert.True(longWindow.ExitCode == 0, longWindow.StandardError);
        var a = Cpu(shortWindow.StandardOutput);
        var b = Cpu(longWindow.StandardOutput);
        Assert.True(double.IsFinite(a) && a > 0, shortWindow.StandardOutput);
        // Two hours and twelve hours of origins are different samples of the same series.
        Assert.NotEqual(a, b);

        // Only the first of the two VMs new (the other observed from the start, not scored): a different sample again.
        var oneNew = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromMinutes(3), [.. common, "--score-window", "12h", "--cold-every", "2"]);
        Assert.True(oneNew.ExitCode == 0, oneNew.StandardError);
        var c = Cpu(oneNew.StandardOutput);
        Assert.True(double.IsFinite(c) && c > 0, oneNew.StandardOutput);
        Assert.NotEqual(b, c);
    }

    [Fact]
    public async Task Eval_BadColdStartOptions_ClearErrors()
    {
        var longer = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromMinutes(2), "eval", "--trace", "/nonexistent", "--warmup", "1d", "--history", "2d", "--json");
        Assert.Equal(2, longer.ExitCode);
        Assert.Empty(longer.StandardOutput);
        Assert.Contains("--history (172800 s) cannot be longer than --warmup (86400 s)", longer.StandardError);

        var bad = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromMinutes(2), "eval", "--trace", "/nonexistent", "--score-window", "soon");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--score-window: 'soon' is not a duration", bad.StandardError);

        var coldEvery = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromMinutes(2), "eval", "--trace", "/nonexistent", "--cold-every", "2");
        Assert.Equal(2, coldEvery.ExitCode);
        Assert.Contains("--cold-every needs --history", coldEvery.StandardError);
    }

    private static double Cpu(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("models").GetProperty("ensemble").GetProperty("5m").GetProperty("cpu").GetProperty("mase").GetDouble();
    }

    private static string DataRoot() =>
        Environment.GetEnvironmentVariable("PRESCIENT_DATA") is { Length: > 0 } root ? root : Path.Combine(RepoPaths.Root, "..", "shared", "data");
}
