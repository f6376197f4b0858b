using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Prescient.Host.Tests;

public sealed class EngineOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new EngineOptionsValidator().Validate(null, new EngineOptions()).Succeeded);
    }

    [Theory]
    [InlineData("Port", "70000", "Prescient:Port")]
    [InlineData("TelemetryIntervalSeconds", "0", "Prescient:TelemetryIntervalSeconds")]
    [InlineData("MaxMessageBytes", "10", "Prescient:MaxMessageBytes")]
    [InlineData("ListenAddress", "not-an-ip", "Prescient:ListenAddress")]
    [InlineData("ReactiveHeadroom", "-1", "Prescient:ReactiveHeadroom")]
    public void ReadOptions_BadSetting_FailureNamesTheSetting(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"Prescient:{key}"] = value }).Build();
        var e = Assert.Throws<OptionsValidationException>(() => EngineHost.ReadOptions(configuration));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ReadOptions_UnparsableNumber_NamesTheSetting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Prescient:Port"] = "fifty" }).Build();
        var e = Assert.Throws<InvalidOperationException>(() => EngineHost.ReadOptions(configuration));
        Assert.Contains("Prescient:Port", e.Message);
    }

    [Fact]
    public void Validate_UnsortedQuantiles_Fail()
    {
        var result = new EngineOptionsValidator().Validate(null, new EngineOptions { Quantiles = [0.9, 0.5] });
        Assert.True(result.Failed);
        Assert.Contains("Quantiles", result.FailureMessage);
    }

    [Fact]
    public void Validate_HorizonsNotAscending_Fail()
    {
        var result = new EngineOptionsValidator().Validate(null, new EngineOptions { HorizonsSeconds = [300, 60] });
        Assert.Contains("HorizonsSeconds", result.FailureMessage);
    }
}
