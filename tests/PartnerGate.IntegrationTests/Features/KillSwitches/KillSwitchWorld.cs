using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.KillSwitches;

namespace PartnerGate.IntegrationTests.Features.KillSwitches;

/// <summary>A partner of its own (name, id, verified domain, its partner admin's e-mail), so a switch never touches another test's rows.</summary>
public sealed record TestPartner(string Name, Guid Id, string Domain, string AdminEmail);

/// <summary>
/// Apps of their own for the kill switch and suspension tests: these switches end things across the whole database,
/// so they must not run against the apps the rest of the assembly shares.
/// </summary>
public sealed class IsolatedApps : IAsyncLifetime
{
    private PartnerGateAppFactory? postgreSql;

    public PartnerGateAppFactory Sqlite { get; } = new(DatabaseProvider.Sqlite);

    public PartnerGateAppFactory For(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.PostgreSql)
        {
            Assert.SkipUnless(PartnerGateAppFactory.PostgresAvailable, $"PostgreSQL not configured ({PartnerGateAppFactory.PostgresVariable}).");
            return postgreSql!;
        }

        return Sqlite;
    }

    public async ValueTask InitializeAsync()
    {
        await Sqlite.InitializeAsync();
        if (PartnerGateAppFactory.PostgresAvailable)
        {
            postgreSql = new PartnerGateAppFactory(DatabaseProvider.PostgreSql);
            await postgreSql.InitializeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Sqlite.DisposeAsync();
        if (postgreSql is not null)
        {
            await postgreSql.DisposeAsync();
        }
    }
}

public static class KillSwitchWorld
{
    public const string Administrator = "admin@acme.example";
    public const string Approver = "approver@acme.example";
    public const string Reason = "Credentials of this target were found in a public paste.";

    /// <summary>Registers a new partner (TISAX valid until <paramref name="tisaxValidUntil"/>, a year by default) with a partner admin.</summary>
    public static async Task<TestPartner> NewTestPartnerAsync(this PartnerGateAppFactory app, DateTimeOffset? tisaxValidUntil = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var name = $"Test Partner {suffix}";
        var domain = $"p{suffix}.example";
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var partner = Partner.Register(name, [domain], now).Value;
        partner.AddCertification("TISAX", tisaxValidUntil ?? now.AddYears(1));
        await using (var db = app.CreateDbContext())
        {
            db.Partners.Add(partner);
            await db.SaveChangesAsync();
        }

        var admin = await app.CreateUserAsync(Roles.PartnerAdmin, name, domain);
        return new TestPartner(name, partner.Id, domain, admin);
    }

    public static Task<TestClient> NewClientAsync(
        this PartnerGateAppFactory app, TestPartner partner, string resource = "purchase-orders", string scope = "orders.read", TimeSpan? duration = null) =>
        app.CreateServiceClientAsync(partner.Name, partner.AdminEmail, (resource, [scope], duration ?? TimeSpan.FromDays(2)));

    public static Task<Result<KillSwitchOutcome>> KillAsync(this PartnerGateAppFactory app, KillSwitchKind kind, string? target, string reason = Reason, string asEmail = Administrator) =>
        app.SendAsync<Result<KillSwitchOutcome>>(new ActivateKillSwitchCommand(kind, target, reason), asEmail);

    public static async Task<bool> IsActiveAtIntrospectionAsync(this PartnerGateAppFactory app, string token) =>
        (await app.CreateClient().IntrospectAsync(token)).GetProperty("active").GetBoolean();

    public static async Task<string> GrantStatusAsync(this PartnerGateAppFactory app, Guid grantId)
    {
        await using var db = app.CreateDbContext();
        return (await db.Grants.AsNoTracking().SingleAsync(g => g.Id == grantId)).Status.ToString();
    }

    public static async Task<int> SecurityEventsAsync(this PartnerGateAppFactory app, SecurityEventKind kind, string subjectId)
    {
        await using var db = app.CreateDbContext();
        return await db.SecurityEvents.CountAsync(e => e.Kind == kind && e.SubjectId == subjectId);
    }

    public static async Task<IReadOnlyList<string>> AuditDetailsAsync(this PartnerGateAppFactory app, string action, string targetId)
    {
        await using var db = app.CreateDbContext();
        return await db.AuditEvents.Where(e => e.Action == action && e.TargetId == targetId).Select(e => e.Details ?? string.Empty).ToListAsync();
    }

    /// <summary>Whether a browser session with this cookie still reaches a signed-in page (false: sent to sign in).</summary>
    public static async Task<bool> SessionWorksAsync(this HttpClient browser)
    {
        using var response = await browser.GetAsync("/grants");
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return true;
        }

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/signin", HttpSignIn.SameOriginPath(response), StringComparison.Ordinal);
        return false;
    }
}
