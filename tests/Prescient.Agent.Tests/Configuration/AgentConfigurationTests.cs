using Microsoft.Extensions.Configuration;
using Prescient.Agent.Configuration;

namespace Prescient.Agent.Tests.Configuration;

public sealed class AgentCommandLineTests
{
    [Fact]
    public void TryParse_AllFlags_MapToAgentKeys()
    {
        Assert.True(AgentCommandLine.TryParse(
            ["--engine", "http://e:1", "--dry-run", "--interval=2", "--node-name", "n1", "--cgroup-root", "/cg", "--json-log", "--no-native"],
            out var settings, out var action, out var error), error);

        Assert.Equal(AgentCommandLine.Action.Run, action);
        Assert.Equal("http://e:1", settings["Agent:EngineUrl"]);
        Assert.Equal("true", settings["Agent:DryRun"]);
        Assert.Equal("2", settings["Agent:IntervalSeconds"]);
        Assert.Equal("n1", settings["Agent:NodeName"]);
        Assert.Equal("/cg", settings["Agent:CgroupRoot"]);
        Assert.Equal("true", settings["Agent:JsonLog"]);
        Assert.Equal("false", settings["Agent:UseNativeLibrary"]);
    }

    [Theory]
    [InlineData("--bogus", "unknown argument")]
    [InlineData("--engine", "needs a value")]
    [InlineData("--dry-run=yes", "takes no value")]
    public void TryParse_Bad_FailsWithReason(string arg, string expected)
    {
        Assert.False(AgentCommandLine.TryParse([arg], out _, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Help_ActionHelp()
    {
        Assert.True(AgentCommandLine.TryParse(["--help"], out _, out var action, out _));
        Assert.Equal(AgentCommandLine.Action.Help, action);
    }
}

public sealed class AgentOptionsValidatorTests
{
    [Fact]
    public void Check_Defaults_Valid()
    {
        Assert.Empty(AgentOptionsValidator.Check(new AgentOptions()));
    }

    [Theory]
    [InlineData("EngineUrl", "ftp://x")]
    [InlineData("EngineUrl", "not a url")]
    [InlineData("IntervalSeconds", "0")]
    [InlineData("IntervalSeconds", "NaN")]
    [InlineData("NodeName", "bad name")]
    [InlineData("CgroupRoot", "relative/path")]
    [InlineData("PlainJobDirectory", "a/b")]
    [InlineData("DryRun", "false")]
    [InlineData("MaxBackoffSeconds", "0.001")]
    public void Check_BadValue_MessageNamesTheSetting(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"Agent:{key}"] = value }).Build();
        Assert.True(AgentProgram.TryBind(configuration, out var options, out var bindError), bindError);

        var errors = AgentOptionsValidator.Check(options);

        Assert.Contains(errors, e => e.StartsWith($"Agent:{key}", StringComparison.Ordinal));
    }

    [Fact]
    public void TryBind_UnconvertibleValue_FailsNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Agent:IntervalSeconds"] = "soon" }).Build();
        Assert.False(AgentProgram.TryBind(configuration, out _, out var error));
        Assert.Contains("Agent:IntervalSeconds", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryBind_UnknownKey_Fails()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Agent:EngineUrll"] = "x" }).Build();
        Assert.False(AgentProgram.TryBind(configuration, out _, out var error));
        Assert.Contains("EngineUrll", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryBind_EnvironmentPrefix_MapsToAgentSection()
    {
        Environment.SetEnvironmentVariable("PRESCIENT_AGENT__NodeName", "from-env-test");
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables("PRESCIENT_").Build();
            Assert.True(AgentProgram.TryBind(configuration, out var options, out _));
            Assert.Equal("from-env-test", options.NodeName);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PRESCIENT_AGENT__NodeName", null);
        }
    }
}
