using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Prescient.Host;

namespace Prescient.Orchestration.Tests;

public sealed class PlannerOptionsTests
{
    private static void Read(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        EngineHost.ReadPlannerOptions(configuration);
    }

    [Theory]
    [InlineData("Prescient:Planner:Mode", "psychic", "Prescient:Planner:Mode")]
    [InlineData("Prescient:Planner:Priorities:vip", "2", "Priorities")]
    [InlineData("Prescient:Planner:Priorities:qos:high", "-1", "Priorities")]
    [InlineData("Prescient:Orchestrator:Model", "nope", "Prescient:Orchestrator:Model")]
    [InlineData("Prescient:Orchestrator:Solver", "simplex", "Prescient:Orchestrator:Solver")]
    [InlineData("Prescient:Orchestrator:StepSeconds", "0", "Prescient:Orchestrator:StepSeconds")]
    [InlineData("Prescient:Orchestrator:HysteResis", "2", "Prescient:Orchestrator:Hysteresis")]
    public void ReadPlannerOptions_BadSetting_FailsNamingIt(string key, string value, string named)
    {
        var e = Assert.Throws<OptionsValidationException>(() => Read((key, value)));
        Assert.Contains(named, string.Join("; ", e.Failures));
    }

    [Fact]
    public void ReadPlannerOptions_ArraysFromConfiguration_ReplaceTheDefaults()
    {
        Read(("Prescient:Orchestrator:StepSeconds", "1"), ("Prescient:Orchestrator:HorizonsSeconds:0", "1"), ("Prescient:Orchestrator:HorizonsSeconds:1", "5"));
        var options = new Prescient.Orchestration.Cycle.OrchestratorOptions();
        new ConfigurationBuilder().AddInMemoryCollection([new("Prescient:Orchestrator:HorizonsSeconds:0", "30"), new("Prescient:Orchestrator:StepSeconds", "30")]).Build()
            .GetSection("Prescient:Orchestrator").Bind(options);
        options.Validate();
        Assert.Equal([30], options.HorizonsSeconds);
        Assert.Equal([60, 300, 300, 300], options.LookaheadSeconds);
        Read(("Prescient:Orchestrator:Solver", "ipm-whole"), ("Prescient:Orchestrator:UplinkBudgetGigabits", "100"));
        var refused = Assert.Throws<OptionsValidationException>(() => Read(("Prescient:Orchestrator:Solver", "decomposed")));
        Assert.Contains("presolve", refused.Message, StringComparison.Ordinal);
    }
}
