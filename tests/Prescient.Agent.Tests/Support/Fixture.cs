namespace Prescient.Agent.Tests.Support;

/// <summary>Paths and texts of the fixture files copied next to the test assembly.</summary>
internal static class Fixture
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Text(string relative) => File.ReadAllText(PathOf(relative));
}
