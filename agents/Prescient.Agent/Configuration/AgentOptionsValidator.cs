using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Prescient.Agent.Configuration;

/// <summary>Checks <see cref="AgentOptions"/>; every failure names the setting as "Agent:Name".</summary>
public sealed partial class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var errors = Check(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>All problems, empty when the options are usable.</summary>
    public static List<string> Check(AgentOptions options)
    {
        var errors = new List<string>();
        const string S = AgentOptions.SectionName;
        if (!Uri.TryCreate(options.EngineUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https") || uri.Host.Length == 0)
        {
            errors.Add($"{S}:EngineUrl '{options.EngineUrl}' is not an absolute http:// or https:// URL");
        }

        if (!options.DryRun)
        {
            errors.Add($"{S}:DryRun is false, but this agent has no enforcing backend yet: only dry-run mode is available");
        }

        if (!double.IsFinite(options.IntervalSeconds) || options.IntervalSeconds < 1 || options.IntervalSeconds > 3600)
        {
            errors.Add($"{S}:IntervalSeconds {options.IntervalSeconds} is outside 1..3600");
        }

        if (options.NodeName.Length != 0 && !NodeNamePattern().IsMatch(options.NodeName))
        {
            errors.Add($"{S}:NodeName '{options.NodeName}' must match [A-Za-z0-9._-]{{1,253}}");
        }

        CheckAbsolute(errors, "CgroupRoot", options.CgroupRoot);
        CheckAbsolute(errors, "ProcRoot", options.ProcRoot);
        CheckAbsolute(errors, "SysRoot", options.SysRoot);
        CheckAbsolute(errors, "PasswdFile", options.PasswdFile);
        if (options.PlainJobDirectory.Length == 0 || options.PlainJobDirectory.Contains('/', StringComparison.Ordinal) || options.PlainJobDirectory is "." or "..")
        {
            errors.Add($"{S}:PlainJobDirectory '{options.PlainJobDirectory}' must be a single directory name");
        }

        if (options.NetworkInterface.Length > 15 || options.NetworkInterface.Contains('/', StringComparison.Ordinal) || options.NetworkInterface.Any(char.IsWhiteSpace))
        {
            errors.Add($"{S}:NetworkInterface '{options.NetworkInterface}' is not an interface name (at most 15 characters, no '/' or spaces)");
        }

        if (!double.IsFinite(options.InitialBackoffSeconds) || options.InitialBackoffSeconds < 0.01 || options.InitialBackoffSeconds > 60)
        {
            errors.Add($"{S}:InitialBackoffSeconds {options.InitialBackoffSeconds} is outside 0.01..60");
        }

        if (!double.IsFinite(options.MaxBackoffSeconds) || options.MaxBackoffSeconds < options.InitialBackoffSeconds || options.MaxBackoffSeconds > 3600)
        {
            errors.Add($"{S}:MaxBackoffSeconds {options.MaxBackoffSeconds} must be between InitialBackoffSeconds and 3600");
        }

        if (options.RetainedCommandResults is < 1 or > 1_000_000)
        {
            errors.Add($"{S}:RetainedCommandResults {options.RetainedCommandResults} is outside 1..1000000");
        }

        return errors;
    }

    private static void CheckAbsolute(List<string> errors, string name, string value)
    {
        if (!Path.IsPathFullyQualified(value))
        {
            errors.Add($"{AgentOptions.SectionName}:{name} '{value}' is not an absolute path");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,253}$")]
    private static partial Regex NodeNamePattern();
}
