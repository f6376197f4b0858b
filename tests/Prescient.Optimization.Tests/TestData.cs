namespace Prescient.Optimization.Tests;

/// <summary>Locates the shared evaluation data: $PRESCIENT_DATA, else &lt;repo root&gt;/../shared/data.</summary>
internal static class TestData
{
    public static string? Directory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("PRESCIENT_DATA");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return System.IO.Directory.Exists(fromEnvironment) ? fromEnvironment : null;
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Engine.sln")))
        {
            dir = dir.Parent;
        }

        if (dir?.Parent is null)
        {
            return null;
        }

        var candidate = Path.Combine(dir.Parent.FullName, "shared", "data");
        return System.IO.Directory.Exists(candidate) ? candidate : null;
    }

    /// <summary>The Netlib folder, or skips the test (fails it when CI=true).</summary>
    public static string RequireNetlib()
    {
        var dir = Directory() is { } d ? Path.Combine(d, "netlib") : null;
        if (dir is null || !File.Exists(Path.Combine(dir, "optima.tsv")))
        {
            Missing("Netlib data not found ($PRESCIENT_DATA or <repo>/../shared/data/netlib)");
        }

        return dir!;
    }

    public static void Missing(string reason)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(reason);
        }

        Assert.Skip(reason);
    }

    /// <summary>Netlib instance names listed in optima.tsv (for theory data); empty when the data is missing.</summary>
    public static TheoryData<string> NetlibInstances()
    {
        var data = new TheoryData<string>();
        var dir = Directory() is { } d ? Path.Combine(d, "netlib") : null;
        if (dir is null || !File.Exists(Path.Combine(dir, "optima.tsv")))
        {
            data.Add("<missing>");
            return data;
        }

        foreach (var (name, _) in ReadOptima(dir))
        {
            data.Add(name);
        }

        return data;
    }

    public static List<(string Name, double Optimum)> ReadOptima(string dir)
    {
        var list = new List<(string, double)>();
        foreach (var line in File.ReadLines(Path.Combine(dir, "optima.tsv")).Skip(1))
        {
            var parts = line.Split('\t');
            if (parts.Length >= 2)
            {
                list.Add((parts[0], double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        return list;
    }
}
