namespace Prescient.IntegrationTests;

/// <summary>Where the built programs are: beside the sources, in the same configuration as this test assembly.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

    public static string EngineDll => Path.Combine(Root, "engine", "Prescient.Cli", "bin", Configuration, "net10.0", "prescient.dll");

    public static string AgentDll => Path.Combine(Root, "agents", "Prescient.Agent", "bin", Configuration, "net10.0", "prescient-agent.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Engine.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Engine.sln not found above {AppContext.BaseDirectory}");
    }
}
