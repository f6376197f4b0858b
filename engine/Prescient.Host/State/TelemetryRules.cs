using Prescient.Abstractions.Telemetry;

namespace Prescient.Host.State;

/// <summary>The checks every usage sample passes before it is stored.</summary>
public static class TelemetryRules
{
    /// <summary>
    /// Null when the sample is acceptable, else the <see cref="RejectionReasons"/> name of the first
    /// problem: a missing or out-of-window timestamp, a NaN or infinity, a negative value (the API-call
    /// rate alone may be exactly -1, meaning "not reported").
    /// </summary>
    public static string? Check(UsageReading usage, long nowUnixMilliseconds, EngineOptions options)
    {
        if (usage.UnixMilliseconds <= 0)
        {
            return RejectionReasons.MissingTimestamp;
        }

        if (usage.UnixMilliseconds > nowUnixMilliseconds + (options.MaxClockSkewSeconds * 1000L))
        {
            return RejectionReasons.TimestampInFuture;
        }

        if (usage.UnixMilliseconds < nowUnixMilliseconds - (options.MaxSampleAgeSeconds * 1000L))
        {
            return RejectionReasons.TimestampTooOld;
        }

        if (usage.Values.Length != ResourceKinds.Count)
        {
            return RejectionReasons.InvalidRequest;
        }

        for (var r = 0; r < usage.Values.Length; r++)
        {
            var v = usage.Values[r];
            if (!double.IsFinite(v) || v > float.MaxValue)
            {
                return RejectionReasons.NonFiniteValue;
            }

            if (v < 0 && !(r == (int)ResourceKind.ApiCalls && v == -1))
            {
                return RejectionReasons.NegativeValue;
            }
        }

        return usage.FilesRead < -1 ? RejectionReasons.NegativeValue : null;
    }
}
