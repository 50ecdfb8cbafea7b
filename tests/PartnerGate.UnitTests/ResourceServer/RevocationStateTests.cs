using Microsoft.Extensions.Time.Testing;
using PartnerGate.ResourceServer.RevocationFeed;

namespace PartnerGate.UnitTests.ResourceServer;

/// <summary>What the API knows from the feed: applied per subject in pg_seq order, forgotten once a grant has ended.</summary>
public sealed class RevocationStateTests
{
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid PartnerId = Guid.NewGuid();

    [Fact]
    public void RevokedGrant_IsBlocked_ResumedGrant_IsNot()
    {
        var state = new RevocationState(Skew);
        var grantId = Guid.NewGuid();

        state.Apply(Event(TestSets.GrantRevoked(grantId, PartnerId, 10, Now.AddHours(1))));
        var revoked = state.IsGrantBlocked(grantId, Now);
        state.Apply(Event(TestSets.GrantResumed(grantId, PartnerId, 11, Now.AddHours(1))));

        Assert.True(revoked);
        Assert.False(state.IsGrantBlocked(grantId, Now));
        Assert.False(state.IsGrantBlocked(Guid.NewGuid(), Now));
    }

    [Fact]
    public void OlderEventForASubject_NeverUndoesANewerOne()
    {
        var state = new RevocationState(Skew);
        var grantId = Guid.NewGuid();

        state.Apply(Event(TestSets.GrantRevoked(grantId, PartnerId, 20, Now.AddHours(1))));
        var appliedOlder = state.Apply(Event(TestSets.GrantResumed(grantId, PartnerId, 19, Now.AddHours(1))));

        Assert.False(appliedOlder);
        Assert.True(state.IsGrantBlocked(grantId, Now));
    }

    [Fact]
    public void EqualSequence_IsApplied_SoASnapshotAtTheSameCursorStillCounts()
    {
        var state = new RevocationState(Skew);

        state.Apply(Event(TestSets.ClientStatus("erp", PartnerId, 5, "active")));
        var applied = state.Apply(Event(TestSets.ClientStatus("erp", PartnerId, 5, "disabled")));

        Assert.True(applied);
        Assert.True(state.IsClientBlocked("erp"));
    }

    [Fact]
    public void Ordering_IsPerSubject_NotGlobal()
    {
        var state = new RevocationState(Skew);

        state.Apply(Event(TestSets.ClientStatus("a", PartnerId, 50, "disabled")));
        state.Apply(Event(TestSets.ClientStatus("b", PartnerId, 40, "disabled")));

        Assert.True(state.IsClientBlocked("a"));
        Assert.True(state.IsClientBlocked("b"));
        Assert.False(state.IsClientBlocked("A"));
    }

    [Fact]
    public void SuspendedPartner_IsBlocked_UntilReinstated()
    {
        var state = new RevocationState(Skew);

        state.Apply(Event(TestSets.PartnerStatus(PartnerId, 3, "suspended")));
        var suspended = state.IsPartnerBlocked(PartnerId);
        state.Apply(Event(TestSets.PartnerStatus(PartnerId, 4, "active")));

        Assert.True(suspended);
        Assert.False(state.IsPartnerBlocked(PartnerId));
        Assert.Equal(0, state.SuspendedPartners);
    }

    [Fact]
    public void RevokedGrant_IsForgottenAfterItsEnd_PlusTheClockSkew_ByTheHostClock()
    {
        var clock = new FakeTimeProvider(Now);
        var state = new RevocationState(Skew);
        var grantId = Guid.NewGuid();
        var notAfter = Now.AddMinutes(10);
        state.Apply(Event(TestSets.GrantRevoked(grantId, PartnerId, 1, notAfter)));

        clock.SetUtcNow(notAfter + Skew - TimeSpan.FromSeconds(1));
        var justBefore = state.IsGrantBlocked(grantId, clock.GetUtcNow());
        var keptBefore = state.ForgetEndedGrants(clock.GetUtcNow());
        clock.SetUtcNow(notAfter + Skew);
        var after = state.IsGrantBlocked(grantId, clock.GetUtcNow());
        var forgotten = state.ForgetEndedGrants(clock.GetUtcNow());

        // A token of the grant expires by notAfter, but JwtBearer accepts it for the skew beyond: it stays refused that long.
        Assert.True(justBefore);
        Assert.Equal(0, keptBefore);
        Assert.False(after);
        Assert.Equal(1, forgotten);
        Assert.Equal(0, state.RevokedGrants);
    }

    [Fact]
    public void Snapshot_ReplacesWhatWasKnown()
    {
        var state = new RevocationState(Skew);
        var stillRevoked = Guid.NewGuid();
        var resumedMeanwhile = Guid.NewGuid();
        state.Apply(Event(TestSets.GrantRevoked(stillRevoked, PartnerId, 1, Now.AddHours(1))));
        state.Apply(Event(TestSets.GrantRevoked(resumedMeanwhile, PartnerId, 2, Now.AddHours(1))));
        state.Apply(Event(TestSets.ClientStatus("erp", PartnerId, 3, "disabled")));

        state.BeginSnapshot();
        state.Apply(Event(TestSets.GrantRevoked(stillRevoked, PartnerId, 90, Now.AddHours(1))));
        state.Apply(Event(TestSets.PartnerStatus(PartnerId, 90, "suspended")));
        var beforeCompletion = state.IsGrantBlocked(resumedMeanwhile, Now);
        state.CompleteSnapshot();

        // Until the snapshot is complete nothing is dropped; then only what it named remains.
        Assert.True(beforeCompletion);
        Assert.True(state.IsGrantBlocked(stillRevoked, Now));
        Assert.False(state.IsGrantBlocked(resumedMeanwhile, Now));
        Assert.False(state.IsClientBlocked("erp"));
        Assert.True(state.IsPartnerBlocked(PartnerId));
        Assert.Equal((1, 0, 1), (state.RevokedGrants, state.DisabledClients, state.SuspendedPartners));
    }

    private static FeedEvent Event(Dictionary<string, object> payload) => FeedEvent.FromPayload(TestSets.Json(payload))!;
}
