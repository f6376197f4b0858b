namespace Prescient.Host.State;

/// <summary>Stable names of the reasons input is refused; they appear in <c>Admin.GetStatus</c> and metrics.</summary>
public static class RejectionReasons
{
    public const string NonFiniteValue = "non-finite-value";
    public const string NegativeValue = "negative-value";
    public const string TimestampInFuture = "timestamp-in-future";
    public const string TimestampTooOld = "timestamp-too-old";
    public const string MissingTimestamp = "missing-timestamp";
    public const string DuplicateOrOutOfOrder = "duplicate-or-out-of-order";
    public const string DuplicateNodeName = "duplicate-node-name";
    public const string InvalidName = "invalid-name";
    public const string InvalidHello = "invalid-hello";
    public const string MissingHello = "missing-hello";
    public const string MessageTooLarge = "message-too-large";
    public const string SeriesLimit = "series-limit";
    public const string JobLimit = "job-limit";
    public const string UnknownCommand = "unknown-command";
    public const string UnknownJob = "unknown-job";
    public const string UnknownJobRef = "unknown-job-ref";
    public const string InvalidRequest = "invalid-request";
}
