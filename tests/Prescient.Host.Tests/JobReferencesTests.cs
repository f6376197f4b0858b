using Prescient.Host.Services;
using Prescient.Host.State;
using Prescient.Protos.V1;

namespace Prescient.Host.Tests;

public sealed class JobReferencesTests
{
    [Fact]
    public void Resolve_EqualIdentityAgain_ReturnsTheStoredObject()
    {
        var references = new JobReferences();
        var first = references.Resolve(5, new JobIdentity { JobId = "7", User = "alice" }, out var problem);
        Assert.Null(problem);
        Assert.Same(first, references.Resolve(5, new JobIdentity { JobId = "7", User = "alice" }, out _));
        Assert.Same(first, references.Resolve(5, null, out _));
        Assert.Equal("alice", first!.User);
    }

    [Fact]
    public void Resolve_NewIdentityForAKnownReference_Replaces()
    {
        var references = new JobReferences();
        references.Resolve(5, new JobIdentity { JobId = "7", User = "alice" }, out _);
        var replaced = references.Resolve(5, new JobIdentity { JobId = "8", User = "bob" }, out _);
        Assert.Same(replaced, references.Resolve(5, null, out _));
        Assert.Equal("8", replaced!.JobId);
        Assert.Equal(1, references.Count);
    }

    [Fact]
    public void Resolve_NoIdentity_UnknownOrMissingReferenceNamed()
    {
        var references = new JobReferences();
        Assert.Null(references.Resolve(9, null, out var problem));
        Assert.Equal(RejectionReasons.UnknownJobRef, problem);
        Assert.Null(references.Resolve(0, null, out problem));
        Assert.Equal(RejectionReasons.InvalidRequest, problem);

        // Without a reference the identity is used each time and nothing is kept.
        Assert.Equal("7", references.Resolve(0, new JobIdentity { JobId = "7" }, out problem)!.JobId);
        Assert.Null(problem);
        Assert.Equal(0, references.Count);
    }

    [Fact]
    public void Resolve_BeyondTheCap_UsedButNotKept()
    {
        var references = new JobReferences();
        for (var i = 1u; i <= JobReferences.MaxReferences; i++)
        {
            references.Resolve(i, new JobIdentity { JobId = "j" }, out _);
        }

        var extra = JobReferences.MaxReferences + 1u;
        Assert.Equal("k", references.Resolve(extra, new JobIdentity { JobId = "k" }, out _)!.JobId);
        Assert.Null(references.Resolve(extra, null, out var problem));
        Assert.Equal(RejectionReasons.UnknownJobRef, problem);
        Assert.Equal(JobReferences.MaxReferences, references.Count);
    }
}
