using System.Text.Json;
using PartnerGate.Data;
using PartnerGate.Web.Features.SharedSignals;

namespace PartnerGate.UnitTests.Web.SharedSignals;

/// <summary>The SET claim shapes of the revocation-feed protocol, as the receiver reads them.</summary>
public sealed class SecurityEventClaimsTests
{
    private static readonly DateTimeOffset OccurredAt = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NotAfter = new(2026, 12, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid PartnerId = Guid.Parse("b0170000-0000-4000-8000-000000000001");

    [Theory]
    [InlineData(SecurityEventKind.GrantRevoked, "revoked")]
    [InlineData(SecurityEventKind.GrantSuspended, "suspended")]
    public void GrantEnded_IsSessionRevoked_WithComplexSessionAndTenant(SecurityEventKind kind, string status)
    {
        var grantId = Guid.NewGuid().ToString();
        var json = Shape(new SecurityEvent { Sequence = 42, Id = Guid.NewGuid(), Kind = kind, SubjectId = grantId, PartnerId = PartnerId, Until = NotAfter, Reason = "Contract ended", InitiatingEntity = "admin", OccurredAt = OccurredAt });

        Assert.Equal(42, json.GetProperty("pg_seq").GetInt64());
        Assert.Equal(OccurredAt.ToUnixTimeSeconds(), json.GetProperty("iat").GetInt64());
        var subject = json.GetProperty("sub_id");
        Assert.Equal("complex", subject.GetProperty("format").GetString());
        Assert.Equal(grantId, subject.GetProperty("session").GetProperty("id").GetString());
        Assert.Equal("opaque", subject.GetProperty("session").GetProperty("format").GetString());
        Assert.Equal(PartnerId.ToString(), subject.GetProperty("tenant").GetProperty("id").GetString());
        var revoked = json.GetProperty("events").GetProperty(SharedSignalsProtocol.SessionRevoked);
        Assert.Equal(OccurredAt.ToUnixTimeSeconds(), revoked.GetProperty("event_timestamp").GetInt64());
        Assert.Equal("admin", revoked.GetProperty("initiating_entity").GetString());
        Assert.Equal("Contract ended", revoked.GetProperty("reason_admin").GetProperty("en").GetString());
        Assert.Equal(status, revoked.GetProperty("grant_status").GetString());
        Assert.Equal(NotAfter.ToUnixTimeSeconds(), revoked.GetProperty("grant_not_after").GetInt64());
        Assert.Single(json.GetProperty("events").EnumerateObject());
    }

    [Fact]
    public void GrantResumed_IsTokenClaimsChange_GrantActive_WithoutReason()
    {
        var json = Shape(new SecurityEvent { Sequence = 7, Id = Guid.NewGuid(), Kind = SecurityEventKind.GrantResumed, SubjectId = "g", PartnerId = PartnerId, Until = NotAfter, InitiatingEntity = "policy", OccurredAt = OccurredAt });
        var change = json.GetProperty("events").GetProperty(SharedSignalsProtocol.TokenClaimsChange);
        Assert.Equal("active", change.GetProperty("claims").GetProperty("grant_status").GetString());
        Assert.Equal("policy", change.GetProperty("initiating_entity").GetString());
        Assert.Equal(NotAfter.ToUnixTimeSeconds(), change.GetProperty("grant_not_after").GetInt64());
        Assert.False(change.TryGetProperty("reason_admin", out _));
    }

    [Theory]
    [InlineData(SecurityEventKind.ClientDisabled, "disabled")]
    [InlineData(SecurityEventKind.ClientEnabled, "active")]
    public void ClientEvents_AreTokenClaimsChange_OfTheApplication(SecurityEventKind kind, string status)
    {
        var json = Shape(new SecurityEvent { Sequence = 1, Id = Guid.NewGuid(), Kind = kind, SubjectId = "boltnut-erp", PartnerId = PartnerId, InitiatingEntity = "admin", OccurredAt = OccurredAt });
        Assert.Equal("boltnut-erp", json.GetProperty("sub_id").GetProperty("application").GetProperty("id").GetString());
        Assert.Equal(PartnerId.ToString(), json.GetProperty("sub_id").GetProperty("tenant").GetProperty("id").GetString());
        Assert.Equal(status, json.GetProperty("events").GetProperty(SharedSignalsProtocol.TokenClaimsChange).GetProperty("claims").GetProperty("client_status").GetString());
    }

    [Fact]
    public void ClientWithoutPartner_HasNoTenant()
    {
        var json = Shape(new SecurityEvent { Sequence = 1, Id = Guid.NewGuid(), Kind = SecurityEventKind.ClientDisabled, SubjectId = "supply-network-api", InitiatingEntity = "admin", OccurredAt = OccurredAt });
        Assert.False(json.GetProperty("sub_id").TryGetProperty("tenant", out _));
    }

    [Theory]
    [InlineData(SecurityEventKind.PartnerSuspended, "suspended")]
    [InlineData(SecurityEventKind.PartnerReinstated, "active")]
    public void PartnerEvents_AreTokenClaimsChange_OfTheTenantOnly(SecurityEventKind kind, string status)
    {
        var json = Shape(new SecurityEvent { Sequence = 1, Id = Guid.NewGuid(), Kind = kind, SubjectId = PartnerId.ToString(), PartnerId = PartnerId, InitiatingEntity = "admin", OccurredAt = OccurredAt });
        var subject = json.GetProperty("sub_id");
        Assert.Equal(["format", "tenant"], subject.EnumerateObject().Select(p => p.Name));
        Assert.Equal(status, json.GetProperty("events").GetProperty(SharedSignalsProtocol.TokenClaimsChange).GetProperty("claims").GetProperty("partner_status").GetString());
    }

    [Fact]
    public void Verification_NamesTheStream_AndEchoesTheState()
    {
        var json = JsonSerializer.SerializeToElement(SecurityEventClaims.ForVerification("ssf_1", "abc", 9, OccurredAt));
        Assert.Equal("opaque", json.GetProperty("sub_id").GetProperty("format").GetString());
        Assert.Equal("ssf_1", json.GetProperty("sub_id").GetProperty("id").GetString());
        Assert.Equal("abc", json.GetProperty("events").GetProperty(SharedSignalsProtocol.Verification).GetProperty("state").GetString());
        Assert.Equal(9, json.GetProperty("pg_seq").GetInt64());
    }

    [Theory]
    [InlineData("https://receiver.example/events", true)]
    [InlineData("http://127.0.0.1:8080/events", true)]
    [InlineData("http://[::1]:8080/events", true)]
    [InlineData("http://localhost/events", true)]
    [InlineData("http://receiver.example/events", false)]
    [InlineData("https://user:pw@receiver.example/events", false)]
    [InlineData("ftp://receiver.example/events", false)]
    [InlineData("/events", false)]
    [InlineData(null, false)]
    public void PushEndpoint_MustBeHttpsUnlessLoopback(string? endpoint, bool acceptable) =>
        Assert.Equal(acceptable, SsfStreamRules.IsAcceptablePushEndpoint(endpoint));

    private static JsonElement Shape(SecurityEvent securityEvent) =>
        JsonSerializer.SerializeToElement(SecurityEventClaims.For(securityEvent, securityEvent.Sequence, securityEvent.Id.ToString()));
}
