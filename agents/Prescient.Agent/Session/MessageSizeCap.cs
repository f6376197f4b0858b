using Google.Protobuf;
using Prescient.Protos.V1;

namespace Prescient.Agent.Session;

/// <summary>Keeps Hello and TelemetryBatch messages under the engine's max_message_bytes.</summary>
public static class MessageSizeCap
{
    /// <summary>Used until the engine's Welcome says otherwise: gRPC's default receive limit.</summary>
    public const int DefaultMaxMessageBytes = 4 * 1024 * 1024;

    // The AgentMessage wrapper adds a tag and a length prefix around the body.
    private const int EnvelopeBytes = 16;

    /// <summary>
    /// Removes jobs from the end of <paramref name="jobs"/> (the caller orders them by job id) until
    /// the message fits <paramref name="maxBytes"/>. Returns how many were dropped.
    /// </summary>
    public static int Trim<T>(IMessage message, Google.Protobuf.Collections.RepeatedField<T> jobs, int maxBytes)
        where T : IMessage
    {
        var budget = maxBytes - EnvelopeBytes;
        var size = message.CalculateSize();
        var dropped = 0;
        while (size > budget && jobs.Count > 0)
        {
            var last = jobs[^1];
            // Each repeated element costs its size, its length prefix and a one-byte tag.
            size -= last.CalculateSize() + CodedOutputStream.ComputeLengthSize(last.CalculateSize()) + 1;
            jobs.RemoveAt(jobs.Count - 1);
            dropped++;
        }

        return dropped;
    }

    /// <summary>Trims a Hello's job list.</summary>
    public static int Trim(Hello hello, int maxBytes) => Trim(hello, hello.Jobs, maxBytes);

    /// <summary>Trims a telemetry batch's job list.</summary>
    public static int Trim(TelemetryBatch batch, int maxBytes) => Trim(batch, batch.Jobs, maxBytes);
}
