using PartnerGate.Web.Features.Notifications;

namespace PartnerGate.UnitTests.Web.Notifications;

/// <summary>The words of the posture mails: exact subjects, every grant with scope, holder and window, links, and nothing for another partner.</summary>
public sealed class PostureMailTextTests
{
    private static readonly DateTimeOffset Expiry = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    private static string Link(string path) => "https://portal.example" + path;

    private static PostureGrantLine Client(string id, string? reason = null) =>
        new("Line telemetry", ["telemetry.read", "telemetry.write"], $"API client {id}", Now, Expiry.AddDays(10), reason);

    private static ExpiryWarning Warning(params PostureGrantLine[] grants) =>
        new("BoltNut Supply", new CertificationDate("TISAX", Expiry), 30, ["Line telemetry"], grants);

    [Fact]
    public void Warning_NamesCertificationDateAndEachGrant()
    {
        var mail = PostureMailText.Warning("Alice Bolt", Warning(Client("erp-1"), Client("erp-2")), Link);

        Assert.Equal("TISAX of BoltNut Supply expires on 2026-04-01T00:00:00Z: 2 grants will be suspended", mail.Subject);
        Assert.StartsWith("Hello Alice Bolt,", mail.Body, StringComparison.Ordinal);
        Assert.Contains("expires on 2026-04-01T00:00:00Z (in 30 days)", mail.Body, StringComparison.Ordinal);
        Assert.Contains("- Line telemetry (telemetry.read, telemetry.write) for API client erp-1\n  Window: 2026-03-02T00:00:00Z to 2026-04-11T00:00:00Z",
            mail.Body.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("API client erp-2", mail.Body, StringComparison.Ordinal);
        Assert.Contains("https://portal.example/organisation", mail.Body, StringComparison.Ordinal);
        Assert.Contains("partner administrator of BoltNut Supply", mail.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Warning_WithoutGrants_SaysNoneIsAffected()
    {
        var mail = PostureMailText.Warning("Alice Bolt", Warning(), Link);

        Assert.Equal("TISAX of BoltNut Supply expires on 2026-04-01T00:00:00Z: no grants affected", mail.Subject);
        Assert.Contains("No live grant of BoltNut Supply depends on it today", mail.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("- Line telemetry", mail.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Digest_CountsCertificationsPartnersAndGrants()
    {
        var other = new ExpiryWarning("FastFreight Logistics", new CertificationDate("ISO 27001", Expiry.AddDays(-20)), 10, ["Purchase orders"], []);

        var mail = PostureMailText.Digest("Ada Admin", [Warning(Client("erp-1")), other], Link);

        Assert.Equal("Certifications expiring: 2 certifications of 2 partners, 1 grant to be suspended", mail.Subject);
        var body = mail.Body;
        Assert.True(body.IndexOf("FastFreight Logistics: ISO 27001", StringComparison.Ordinal) < body.IndexOf("BoltNut Supply: TISAX", StringComparison.Ordinal),
            "the earliest expiry comes first");
        Assert.Contains("No live grant is affected.", body, StringComparison.Ordinal);
        Assert.Contains("https://portal.example/partners", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Suspension_GivesReasonAndWhatResumes_ToAdminAndHolder()
    {
        CertificationDate[] lapsed = [new("TISAX", Expiry)];
        var grant = Client("erp-1", "Certification lapsed: TISAX lapsed on 2026-04-01 00:00 UTC (required by Line telemetry).");

        var admin = PostureMailText.Suspension("Alice Bolt", "BoltNut Supply", lapsed, [grant], Expiry.AddMinutes(1), toPartnerAdmin: true, Link);
        var holder = PostureMailText.Suspension("Bob Nut", "BoltNut Supply", lapsed, [grant], Expiry.AddMinutes(1), toPartnerAdmin: false, Link);

        Assert.Equal("Access suspended: TISAX of BoltNut Supply expired on 2026-04-01T00:00:00Z; 1 grant suspended", admin.Subject);
        Assert.Contains("suspended these grants of BoltNut Supply at 2026-04-01T00:01:00Z", admin.Body, StringComparison.Ordinal);
        Assert.Contains("  Reason: Certification lapsed: TISAX lapsed on 2026-04-01 00:00 UTC", admin.Body, StringComparison.Ordinal);
        Assert.Contains(PostureMailText.WhatResumes, admin.Body, StringComparison.Ordinal);
        Assert.Contains("/organisation", admin.Body, StringComparison.Ordinal);
        Assert.Contains("suspended these grants you hold", holder.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("/organisation", holder.Body, StringComparison.Ordinal);
        Assert.Contains("because you hold the grants", holder.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Lapse_WithoutGrants_SaysNothingWasSuspended()
    {
        var mail = PostureMailText.Suspension("Alice Bolt", "BoltNut Supply", [new("TISAX", Expiry)], [], Expiry, toPartnerAdmin: true, Link);

        Assert.Equal("TISAX of BoltNut Supply expired on 2026-04-01T00:00:00Z: no grants affected", mail.Subject);
        Assert.Contains("so no access was suspended", mail.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Resumption_ListsResumedThenExpired()
    {
        var mail = PostureMailText.Resumption("Alice Bolt", "BoltNut Supply", [new("TISAX", Expiry.AddYears(1))], [Client("erp-1")], [Client("erp-2")], Expiry,
            toPartnerAdmin: true, Link);

        Assert.Equal("Certification renewed for BoltNut Supply: 1 grant resumed, 1 grant expired", mail.Subject);
        Assert.Contains("(TISAX valid until 2027-04-01T00:00:00Z)", mail.Body, StringComparison.Ordinal);
        Assert.True(mail.Body.IndexOf("erp-1", StringComparison.Ordinal) < mail.Body.IndexOf("These grants expired instead", StringComparison.Ordinal));
        Assert.True(mail.Body.IndexOf("These grants expired instead", StringComparison.Ordinal) < mail.Body.IndexOf("erp-2", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("30,7", new[] { 30, 7 })]
    [InlineData(" 7 , 30 ,7", new[] { 30, 7 })]
    [InlineData("", new int[0])]
    public void Thresholds_AreParsedLargestFirst(string setting, int[] expected) =>
        Assert.Equal(expected, new PostureOptions { WarningDays = setting }.Thresholds());
}
