using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using PartnerGate.Data;
using PartnerGate.Domain.Grants;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.KillSwitches;

namespace PartnerGate.IntegrationTests.Features.KillSwitches;

/// <summary>The big red button, on an app of its own (it ends every grant in the database), with a few hundred grants.</summary>
public sealed class AllPartnersKillSwitchTests
{
    private const int GrantsOfOneClient = 300;

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task AllPartners_RevokesEveryLiveGrant_WritesOneFeedEventEach_AndKillsTheirTokens(DatabaseProvider provider)
    {
        Assert.SkipWhen(provider == DatabaseProvider.PostgreSql && !PartnerGateAppFactory.PostgresAvailable, "PostgreSQL not configured.");
        await using var app = new PartnerGateAppFactory(provider, extraSettings: new Dictionary<string, string?> { ["Sweep:Enabled"] = "false" });
        await app.InitializeAsync();
        var partner = await app.NewTestPartnerAsync();
        var many = await app.CreateServiceClientAsync(partner.Name, partner.AdminEmail,
            [.. Enumerable.Repeat(("purchase-orders", new[] { "orders.read" }, TimeSpan.FromDays(2)), GrantsOfOneClient)]);
        var boltNut = await app.CreateServiceClientAsync(TokenClients.BoltNut, ("inventory", ["inventory.read"], TimeSpan.FromDays(1)));
        var http = app.CreateClient();
        var tokens = new[] { await http.AccessTokenAsync(many, "orders.read"), await http.AccessTokenAsync(boltNut, "inventory.read") };
        int live;
        await using (var db = app.CreateDbContext())
        {
            live = await db.Grants.CountAsync(g => g.Status == GrantStatus.Active || g.Status == GrantStatus.Scheduled || g.Status == GrantStatus.Suspended);
        }

        Assert.True(live > GrantsOfOneClient);

        var outcome = await app.KillAsync(KillSwitchKind.AllPartners, null);

        Assert.True(outcome.IsSuccess, outcome.Error?.Message);
        Assert.Equal(live, outcome.Value.GrantsRevoked);
        foreach (var token in tokens)
        {
            Assert.False(await app.IsActiveAtIntrospectionAsync(token));
        }

        await using var after = app.CreateDbContext();
        Assert.Equal(0, await after.Grants.CountAsync(g => g.Status == GrantStatus.Active || g.Status == GrantStatus.Scheduled || g.Status == GrantStatus.Suspended));
        Assert.Equal(live, await after.SecurityEvents.CountAsync(e => e.Kind == SecurityEventKind.GrantRevoked));
        Assert.Equal(live, await after.AuditEvents.CountAsync(e => e.Action == "grant.revoked"));
        Assert.Single(await app.AuditDetailsAsync("killswitch.all_partners", KillSwitchScope.AllPartnersKey));

        // OpenIddict's own records agree: no authorization of a revoked grant stays valid.
        Assert.True(await after.GrantAuthorizations.AnyAsync());
        var authorizationIds = after.GrantAuthorizations.Select(l => l.AuthorizationId);
        Assert.False(await after.Set<OpenIddictEntityFrameworkCoreAuthorization>()
            .AnyAsync(a => authorizationIds.Contains(a.Id) && a.Status != OpenIddict.Abstractions.OpenIddictConstants.Statuses.Revoked));
    }
}
