namespace Prescient.Forecasting.Tests;

/// <summary>Locates the shared evaluation data: <c>$PRESCIENT_DATA</c>, else <c>&lt;repo root&gt;/../shared/data</c>.</summary>
internal static class TestData
{
    /// <summary>The data folder, or skips the test (fails it when CI == "true").</summary>
    public static string RequireDirectory(string relative)
    {
        var root = Environment.GetEnvironmentVariable("PRESCIENT_DATA");
        if (string.IsNullOrEmpty(root))
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Engine.sln")))
            {
                dir = dir.Parent;
            }

            root = dir is null ? string.Empty : Path.Combine(dir.FullName, "..", "shared", "data");
        }

        var path = Path.Combine(root, relative);
        if (Directory.Exists(path) || File.Exists(path))
        {
            return path;
        }

        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail($"evaluation data missing at {path} (set PRESCIENT_DATA)");
        }

        Assert.Skip($"evaluation data missing at {path} (set PRESCIENT_DATA)");
        return path;
    }
}
