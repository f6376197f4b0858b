using Prescient.Agent.Session;
using Prescient.Protos.V1;

namespace Prescient.Agent.Tests.Session;

public sealed class JobReferenceTableTests
{
    private static JobIdentity Id(string job, string user = "alice") => new() { JobId = job, User = user };

    private static TelemetryBatch Batch(params (uint Reference, JobIdentity? Identity)[] jobs)
    {
        var batch = new TelemetryBatch();
        foreach (var (reference, identity) in jobs)
        {
            batch.Jobs.Add(new JobUsage { JobRef = reference, Identity = identity });
        }

        return batch;
    }

    [Fact]
    public void Reference_IdentityTravelsUntilMarkedSent_ThenTheReferenceAlone()
    {
        var table = new JobReferenceTable();
        var a = table.Reference(Id("1"), out var sendA);
        var b = table.Reference(Id("2"), out var sendB);
        Assert.NotEqual(0u, a);
        Assert.NotEqual(a, b);
        Assert.NotNull(sendA);
        Assert.NotNull(sendB);

        // Only job 1 made it into the batch that was written (job 2 was trimmed away): job 2's identity travels again.
        table.MarkSent(Batch((a, sendA)));
        Assert.Equal(a, table.Reference(Id("1"), out sendA));
        Assert.Null(sendA);
        Assert.Equal(b, table.Reference(Id("2"), out sendB));
        Assert.NotNull(sendB);
    }

    [Fact]
    public void Reference_ChangedIdentity_SentAgainUnderTheSameReference()
    {
        var table = new JobReferenceTable();
        var a = table.Reference(Id("1"), out var send);
        table.MarkSent(Batch((a, send)));
        Assert.Equal(a, table.Reference(Id("1", user: "bob"), out send));
        Assert.Equal("bob", send!.User);
        table.MarkSent(Batch((a, send)));
        Assert.Equal(a, table.Reference(Id("1", user: "bob"), out send));
        Assert.Null(send);
    }

    [Fact]
    public void Retain_EndedJobsForgotten_AReturningJobGetsANewReference()
    {
        var table = new JobReferenceTable();
        var a = table.Reference(Id("1"), out var sendA);
        var b = table.Reference(Id("2"), out var sendB);
        table.MarkSent(Batch((a, sendA), (b, sendB)));
        table.Retain(new HashSet<string>(["2"], StringComparer.Ordinal));
        Assert.Equal(b, table.Reference(Id("2"), out sendB));
        Assert.Null(sendB);
        var again = table.Reference(Id("1"), out sendA);
        Assert.NotEqual(a, again);
        Assert.NotEqual(b, again);
        Assert.NotNull(sendA);
    }
}
