using Google.Protobuf;
using Prescient.Agent.Session;
using Prescient.Protos.V1;

namespace Prescient.Agent.Tests.Session;

public sealed class MessageSizeCapTests
{
    private static TelemetryBatch Batch(int jobs)
    {
        var batch = new TelemetryBatch { Node = new UsageSample { CpuCores = 1, MemoryBytes = 1 } };
        for (var i = 0; i < jobs; i++)
        {
            batch.Jobs.Add(new JobUsage { Identity = new JobIdentity { JobId = $"job-{i:D5}", User = "alice" }, Usage = new UsageSample { CpuCores = i } });
        }

        return batch;
    }

    [Fact]
    public void Trim_OverLimit_DropsJobsFromTheEndUntilTheWrappedMessageFits()
    {
        var batch = Batch(1000);
        const int limit = 8 * 1024;

        var dropped = MessageSizeCap.Trim(batch, limit);

        Assert.True(dropped > 0);
        Assert.Equal(1000 - dropped, batch.Jobs.Count);
        Assert.True(new AgentMessage { Telemetry = batch }.CalculateSize() <= limit);
        Assert.Equal("job-00000", batch.Jobs[0].Identity.JobId);
        // Not more than needed: one more job would not fit.
        var oneMore = batch.Clone();
        oneMore.Jobs.Add(Batch(1000).Jobs[batch.Jobs.Count]);
        Assert.True(new AgentMessage { Telemetry = oneMore }.CalculateSize() > limit - 16);
    }

    [Fact]
    public void Trim_UnderLimit_Unchanged()
    {
        var batch = Batch(3);
        Assert.Equal(0, MessageSizeCap.Trim(batch, MessageSizeCap.DefaultMaxMessageBytes));
        Assert.Equal(3, batch.Jobs.Count);
    }
}
