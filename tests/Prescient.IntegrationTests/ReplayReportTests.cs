using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Prescient.IntegrationTests;

/// <summary>
/// <c>prescient replay</c> as a user runs it: a real process that prints one JSON document and writes
/// report.html, which headless Chromium (Debian's <c>chromium</c>) then renders.
/// </summary>
public sealed partial class ReplayReportTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("prescient-replay-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Replay_JsonAndHtmlReport_ImagesLoadAndNumbersMatchTheJson()
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        Prerequisite.Require(chromium is not null, "needs Debian's chromium (apt-get install chromium) to render the report");

        var (exit, stdout, stderr) = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromMinutes(5),
            "replay", "--jobs", "8", "--hours", "24", "--sweep", "--out", _directory, "--json", "--seed", "5");
        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var policies = json.RootElement.GetProperty("policies");
        foreach (var name in new[] { "static", "reactive", "vpa", "autopilot", "predictive" })
        {
            var cpu = policies.GetProperty(name).GetProperty("cpu");
            Assert.InRange(cpu.GetProperty("shortfall").GetDouble(), 0, 1);
            Assert.InRange(cpu.GetProperty("slack").GetDouble(), 0, 1);
            Assert.True(policies.GetProperty(name).GetProperty("memory").TryGetProperty("oom_events", out _));

            // The built-in workload carries network and storage, so they are reported too.
            foreach (var resource in new[] { "network", "storage" })
            {
                Assert.InRange(policies.GetProperty(name).GetProperty(resource).GetProperty("shortfall").GetDouble(), 0, 1);
            }
        }

        Assert.Equal(3, json.RootElement.GetProperty("curve").GetArrayLength());
        Assert.All(json.RootElement.GetProperty("curve").EnumerateArray(), point => Assert.True(point.TryGetProperty("network", out _)));
        Assert.Equal(File.ReadAllText(Path.Combine(_directory, "report.json")).Trim(), stdout.Trim());

        var dom = await DumpDomAsync(chromium!, Path.Combine(_directory, "report.html"));
        var images = ImageTag().Matches(dom);
        Assert.True(images.Count >= 3, "the report has the slack-shortfall charts and usage plots");
        Assert.All(images, m => Assert.Contains("data-loaded=\"true\"", m.Value));
        Assert.Contains("data-images-missing=\"0\"", dom);

        var cells = NumberCell().Matches(dom);
        Assert.NotEmpty(cells);
        var checkedCells = 0;
        foreach (Match cell in cells)
        {
            var policy = cell.Groups["policy"].Value;
            if (policy.StartsWith("sweep-", StringComparison.Ordinal))
            {
                continue;
            }

            var expected = policies.GetProperty(policy).GetProperty(cell.Groups["resource"].Value).GetProperty(cell.Groups["metric"].Value).GetDouble();
            Assert.Equal(expected, double.Parse(cell.Groups["value"].Value, CultureInfo.InvariantCulture), 12);
            checkedCells++;
        }

        Assert.True(checkedCells >= 5 * 4 * 5, $"only {checkedCells} numbers checked");
    }

    [Fact]
    public async Task Replay_BadArguments_ClearErrors()
    {
        var (exit, stdout, stderr) = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromMinutes(2), "replay", "--policy", "magic", "--json");
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains("unknown policy 'magic'", stderr);

        var missing = await ChildProcess.RunDotnetAsync(RepoPaths.EngineDll, TimeSpan.FromMinutes(2), "replay", "--trace", "/nonexistent/trace", "--json");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("does not exist", missing.StandardError);
    }

    private static async Task<string> DumpDomAsync(string chromium, string page)
    {
        var info = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--allow-file-access-from-files", "--virtual-time-budget=5000", "--dump-dom", "file://" + page })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var dom = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, await errors);
        return await dom;
    }

    [GeneratedRegex("<img [^>]*>")]
    private static partial Regex ImageTag();

    [GeneratedRegex("data-policy=\"(?<policy>[^\"]+)\" data-resource=\"(?<resource>[^\"]+)\" data-metric=\"(?<metric>[^\"]+)\" data-value=\"(?<value>[^\"]+)\"")]
    private static partial Regex NumberCell();
}
