using System.Net;
using Microsoft.Extensions.Options;

namespace Prescient.Host;

/// <summary>Checks <see cref="EngineOptions"/> at start-up; every failure names the setting and the accepted range.</summary>
public sealed class EngineOptionsValidator : IValidateOptions<EngineOptions>
{
    public ValidateOptionsResult Validate(string? name, EngineOptions options)
    {
        var failures = new List<string>();
        var section = EngineOptions.SectionName;

        void Range(string setting, double value, double min, double max)
        {
            if (!(value >= min && value <= max))
            {
                failures.Add($"{section}:{setting} = {value} is out of range; it must be between {min} and {max}.");
            }
        }

        if (!IPAddress.TryParse(options.ListenAddress, out _) && options.ListenAddress != "localhost")
        {
            failures.Add($"{section}:ListenAddress = '{options.ListenAddress}' is not an IP address (e.g. 127.0.0.1, 0.0.0.0, ::1).");
        }

        Range(nameof(options.Port), options.Port, 0, 65535);
        Range(nameof(options.MetricsPort), options.MetricsPort, 0, 65535);
        Range(nameof(options.TelemetryIntervalSeconds), options.TelemetryIntervalSeconds, 1, 3600);
        Range(nameof(options.MaxMessageBytes), options.MaxMessageBytes, 4096, 64 * 1024 * 1024);
        Range(nameof(options.SamplesPerSeries), options.SamplesPerSeries, 16, 1_000_000);
        Range(nameof(options.MaxSeries), options.MaxSeries, 1, 10_000_000);
        Range(nameof(options.MaxClockSkewSeconds), options.MaxClockSkewSeconds, 0, 86_400);
        Range(nameof(options.MaxSampleAgeSeconds), options.MaxSampleAgeSeconds, 1, 30 * 86_400);
        Range(nameof(options.CycleMilliseconds), options.CycleMilliseconds, 100, 3_600_000);
        Range(nameof(options.AgentSilenceSeconds), options.AgentSilenceSeconds, 1, 86_400);
        Range(nameof(options.ReactiveHeadroom), options.ReactiveHeadroom, 0, 10);
        Range(nameof(options.ReactiveHysteresis), options.ReactiveHysteresis, 0, 1);
        Range(nameof(options.MaxJobs), options.MaxJobs, 1, 10_000_000);
        Range(nameof(options.MaxPendingJobs), options.MaxPendingJobs, 1, 10_000_000);
        Range(nameof(options.MaxEvents), options.MaxEvents, 1, 10_000_000);

        if (options.KernelDevice is not ("auto" or "cpu" or "gpu"))
        {
            failures.Add($"{section}:KernelDevice = '{options.KernelDevice}' is not one of auto, cpu, gpu.");
        }

        if (options.HorizonsSeconds is not { Length: > 0 })
        {
            failures.Add($"{section}:HorizonsSeconds is empty; give at least one horizon in seconds.");
        }
        else
        {
            for (var i = 0; i < options.HorizonsSeconds.Length; i++)
            {
                if (options.HorizonsSeconds[i] <= 0 || (i > 0 && options.HorizonsSeconds[i] <= options.HorizonsSeconds[i - 1]))
                {
                    failures.Add($"{section}:HorizonsSeconds must be positive and strictly ascending; got [{string.Join(", ", options.HorizonsSeconds)}].");
                    break;
                }
            }
        }

        if (options.Quantiles is not { Length: > 0 })
        {
            failures.Add($"{section}:Quantiles is empty; give at least one quantile in (0, 1).");
        }
        else
        {
            for (var i = 0; i < options.Quantiles.Length; i++)
            {
                var q = options.Quantiles[i];
                if (!(q > 0 && q < 1) || (i > 0 && q <= options.Quantiles[i - 1]))
                {
                    failures.Add($"{section}:Quantiles must lie in (0, 1) and be strictly ascending; got [{string.Join(", ", options.Quantiles)}].");
                    break;
                }
            }
        }

        if (!string.IsNullOrWhiteSpace(options.StateDirectory) && options.StateDirectory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"{section}:StateDirectory = '{options.StateDirectory}' is not a valid path.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
