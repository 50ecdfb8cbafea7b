using System.Text.Json;
using PartnerGate.ResourceServer.RevocationFeed;

namespace PartnerGate.UnitTests.ResourceServer;

/// <summary>The SET shapes of the protocol, read into what they mean for this API.</summary>
public sealed class FeedEventTests
{
    private static readonly Guid PartnerId = Guid.NewGuid();
    private static readonly DateTimeOffset NotAfter = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Theory]
    [InlineData("revoked")]
    [InlineData("suspended")]
    public void SessionRevoked_BlocksTheGrant_UntilItsEnd(string status)
    {
        var grantId = Guid.NewGuid();

        var feedEvent = FeedEvent.FromPayload(TestSets.Json(TestSets.GrantRevoked(grantId, PartnerId, 12, NotAfter, status)));

        Assert.Equal(new FeedEvent(FeedSubjectKind.Grant, grantId.ToString("D"), 12, true, NotAfter), feedEvent);
    }

    [Fact]
    public void GrantStatusActive_Unblocks()
    {
        var grantId = Guid.NewGuid();

        var feedEvent = FeedEvent.FromPayload(TestSets.Json(TestSets.GrantResumed(grantId, PartnerId, 13, NotAfter)));

        Assert.Equal(new FeedEvent(FeedSubjectKind.Grant, grantId.ToString("D"), 13, false, NotAfter), feedEvent);
    }

    [Fact]
    public void ClientAndPartnerStatus_AreReadFromTheirSubjects_NotTheTenantOfAClient()
    {
        var client = FeedEvent.FromPayload(TestSets.Json(TestSets.ClientStatus("boltnut-erp", PartnerId, 14, "disabled")));
        var partner = FeedEvent.FromPayload(TestSets.Json(TestSets.PartnerStatus(PartnerId, 15, "suspended")));

        Assert.Equal(new FeedEvent(FeedSubjectKind.Client, "boltnut-erp", 14, true, null), client);
        Assert.Equal(new FeedEvent(FeedSubjectKind.Partner, PartnerId.ToString("D"), 15, true, null), partner);
    }

    [Fact]
    public void AnUnknownStatusValue_Blocks()
    {
        var feedEvent = FeedEvent.FromPayload(TestSets.Json(TestSets.ClientStatus("erp", PartnerId, 1, "quarantined")));

        Assert.True(feedEvent!.Blocked);
    }

    [Fact]
    public void VerificationEvent_ChangesNothing()
    {
        var payload = JsonSerializer.SerializeToElement(new Dictionary<string, object>
        {
            ["pg_seq"] = 4,
            ["sub_id"] = new { format = "opaque", id = "stream-1" },
            ["events"] = new Dictionary<string, object> { [FeedEvent.Verification] = new { state = "abc" } },
        });

        Assert.Null(FeedEvent.FromPayload(payload));
    }

    [Fact]
    public void MissingSequence_OrSubject_IsMalformed()
    {
        var noSequence = TestSets.GrantRevoked(Guid.NewGuid(), PartnerId, 1, NotAfter);
        noSequence.Remove("pg_seq");
        var noSession = TestSets.PartnerStatus(PartnerId, 1, "suspended");
        noSession["events"] = new Dictionary<string, object> { [FeedEvent.SessionRevoked] = new { grant_status = "revoked" } };
        var notAGuid = TestSets.GrantRevoked(Guid.NewGuid(), PartnerId, 1, NotAfter);
        notAGuid["sub_id"] = new { format = "complex", session = new { format = "opaque", id = "grant-7" } };

        Assert.Throws<FormatException>(() => FeedEvent.FromPayload(TestSets.Json(noSequence)));
        Assert.Throws<FormatException>(() => FeedEvent.FromPayload(TestSets.Json(noSession)));
        Assert.Throws<FormatException>(() => FeedEvent.FromPayload(TestSets.Json(notAGuid)));
    }
}
