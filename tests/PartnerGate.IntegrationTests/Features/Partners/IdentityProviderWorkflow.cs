using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.Auditing;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Partners;

namespace PartnerGate.IntegrationTests.Features.Partners;

/// <summary>Short-hands for the identity provider tests: a throw-away partner per test, settings, rows and audit events.</summary>
internal static class IdentityProviderWorkflow
{
    public const string Admin = "admin@acme.example";

    public static IdentityProviderSettings Settings(string authority, string name = "Test partner IdP", string? roleClaim = "groups", string? adminValue = "partnergate-admins") =>
        new(name, authority, "partnergate", ["openid", "profile", "email"], "email", "name", roleClaim, adminValue, MfaRequired: true, ["urn:example:mfa"]);

    /// <summary>A partner of its own, so tests never disturb the demo partners others rely on.</summary>
    public static async Task<Guid> NewPartnerAsync(this PartnerGateAppFactory app, bool suspended = false)
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var partner = Partner.Register($"Partner {tag}", [$"p{tag}.example"], DateTimeOffset.UtcNow).Value;
        if (suspended)
        {
            Assert.True(partner.Suspend("Security review.").IsSuccess);
        }

        await using var db = app.CreateDbContext();
        db.Partners.Add(partner);
        await db.SaveChangesAsync();
        return partner.Id;
    }

    public static async Task<Guid> RegisterAsync(this PartnerGateAppFactory app, Guid partnerId, string authority, string secret = "idp-client-secret")
    {
        var registered = await app.SendAsync<Result<Guid>>(new RegisterIdentityProviderCommand(partnerId, Settings(authority), secret), Admin);
        Assert.True(registered.IsSuccess, registered.Error?.Message);
        return registered.Value;
    }

    public static async Task<PartnerIdentityProvider?> ProviderAsync(this PartnerGateAppFactory app, Guid partnerId)
    {
        await using var db = app.CreateDbContext();
        return await db.PartnerIdentityProviders.AsNoTracking().SingleOrDefaultAsync(p => p.PartnerId == partnerId);
    }

    public static async Task<List<AuditEvent>> AuditAsync(this PartnerGateAppFactory app, Guid partnerId, string action)
    {
        await using var db = app.CreateDbContext();
        return await db.AuditEvents.AsNoTracking().Where(e => e.PartnerId == partnerId && e.Action == action).OrderBy(e => e.Sequence).ToListAsync();
    }
}

/// <summary>The independent test IdP process, started once for a test class.</summary>
public sealed class TestIdpFixture : IAsyncLifetime
{
    public TestIdentityProvider Idp { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Idp = await TestIdentityProvider.StartAsync([TestIdpClient.RelyingParty("partnergate", "idp-client-secret", "http://localhost/signin-partner/")], []);

    public async ValueTask DisposeAsync()
    {
        if (Idp is not null)
        {
            await Idp.DisposeAsync();
        }
    }
}
