namespace Prescient.Agent.Tests.Configuration;

/// <summary>The real entry point's answers to bad command lines and configuration (it never starts a session here).</summary>
public sealed class AgentProgramTests
{
    [Theory]
    [InlineData("--bogus")]
    [InlineData("--interval", "0")]
    [InlineData("--interval", "soon")]
    [InlineData("--engine", "ftp://x")]
    [InlineData("--node-name", "bad name!")]
    [InlineData("--cgroup-root", "relative")]
    public async Task RunAsync_BadInput_ExitCode2(params string[] args)
    {
        Assert.Equal(AgentProgram.ConfigurationErrorExitCode, await AgentProgram.RunAsync(args));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("--version")]
    public async Task RunAsync_HelpOrVersion_ExitCode0(string arg)
    {
        Assert.Equal(0, await AgentProgram.RunAsync([arg]));
    }

    [Fact]
    public void ShortHostName_NoDomain()
    {
        Assert.DoesNotContain('.', AgentProgram.ShortHostName());
        Assert.NotEmpty(AgentProgram.ShortHostName());
    }
}
