using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Partners;
using PartnerGate.Web.Infrastructure.Federation;
using static PartnerGate.IntegrationTests.Features.Partners.IdentityProviderWorkflow;

namespace PartnerGate.IntegrationTests.Features.Partners;

/// <summary>
/// Administrators register and run partners' identity providers through the real pipeline, on SQLite and
/// PostgreSQL: secrets stored protected, every change audited, bad input and stale edits change nothing.
/// </summary>
public sealed class IdentityProviderAdministrationTests(SqliteApp sqlite, PostgreSqlApp postgreSql, TestIdpFixture idp) : IClassFixture<TestIdpFixture>
{
    private readonly Apps apps = new(sqlite, postgreSql);
    private const string Secret = "idp-client-secret-7Hq2xV9d";

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Register_StoresTheSecretProtected_AuditsWithoutIt_AndDetailsNeverCarryIt(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partnerId = await app.NewPartnerAsync();

        var registered = await app.SendAsync<Result<Guid>>(new RegisterIdentityProviderCommand(partnerId, Settings(idp.Idp.Issuer), Secret), Admin);

        Assert.True(registered.IsSuccess, registered.Error?.Message);
        var row = (await app.ProviderAsync(partnerId))!;
        Assert.Equal(registered.Value, row.Id);
        Assert.Equal(idp.Idp.Issuer, row.Authority);
        Assert.Equal(["openid", "profile", "email"], row.Scopes);
        Assert.Equal("partnergate-admins", row.ClaimMapping.PartnerAdminRoleValue);
        Assert.True(row.Mfa.Required);
        Assert.Equal(IdentityProviderStatus.Enabled, row.Status);
        Assert.DoesNotContain(Secret, row.ProtectedClientSecret, StringComparison.Ordinal);
        Assert.Equal(Secret, app.Services.GetRequiredService<IdentityProviderSecrets>().Unprotect(row.ProtectedClientSecret));

        var audit = Assert.Single(await app.AuditAsync(partnerId, "idp.registered"));
        Assert.Equal(row.Id.ToString(), audit.TargetId);
        Assert.Contains(idp.Idp.Issuer, audit.Details!, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, audit.Details!, StringComparison.Ordinal);
        Assert.DoesNotContain(row.ProtectedClientSecret, audit.Details!, StringComparison.Ordinal);

        var details = await app.SendAsync<Result<IdentityProviderDetails>>(new GetIdentityProviderQuery(partnerId, "https://portal.acme.example/"), Admin);
        Assert.Equal($"https://portal.acme.example/signin-partner/{row.Id:N}", details.Value.RedirectUri);
        Assert.Equal(row.Version, details.Value.Version);
        var json = JsonSerializer.Serialize(details.Value);
        Assert.DoesNotContain(Secret, json, StringComparison.Ordinal);
        Assert.DoesNotContain(row.ProtectedClientSecret, json, StringComparison.Ordinal);

        var partners = await app.SendAsync<Result<IReadOnlyList<PartnerSummary>>>(new ListPartnersQuery(), Admin);
        var signIn = partners.Value.Single(p => p.Id == partnerId).SignIn!;
        Assert.Equal(("Test partner IdP", IdentityProviderStatus.Enabled, idp.Idp.Issuer), (signIn.DisplayName, signIn.Status, signIn.Issuer));
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Update_EmptySecretKeepsTheStoredOne_ANewSecretReplacesIt_AndTheAuthoritysCacheIsForgotten(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partnerId = await app.NewPartnerAsync();
        var providerId = await app.RegisterAsync(partnerId, idp.Idp.Issuer, Secret);
        var before = (await app.ProviderAsync(partnerId))!;
        var metadata = app.Services.GetRequiredService<IdentityProviderMetadata>();
        var cached = metadata.For(idp.Idp.Issuer);

        var kept = await app.SendAsync<Result>(new UpdateIdentityProviderCommand(providerId, before.Version,
            Settings(idp.Idp.Issuer, name: "Renamed IdP", roleClaim: null, adminValue: null), ClientSecret: ""), Admin);

        Assert.True(kept.IsSuccess, kept.Error?.Message);
        var afterKeep = (await app.ProviderAsync(partnerId))!;
        Assert.Equal("Renamed IdP", afterKeep.DisplayName);
        Assert.Null(afterKeep.ClaimMapping.RoleClaim);
        Assert.NotEqual(before.Version, afterKeep.Version);
        Assert.Equal(before.ProtectedClientSecret, afterKeep.ProtectedClientSecret);
        Assert.NotSame(cached, metadata.For(idp.Idp.Issuer));
        var updated = Assert.Single(await app.AuditAsync(partnerId, "idp.updated"));
        Assert.Contains("\"clientSecretReplaced\":false", updated.Details!, StringComparison.Ordinal);
        Assert.Contains("Renamed IdP", updated.Details!, StringComparison.Ordinal);

        var replaced = await app.SendAsync<Result>(new UpdateIdentityProviderCommand(providerId, afterKeep.Version,
            Settings(idp.Idp.Issuer), ClientSecret: "a-new-secret-from-the-partner"), Admin);

        Assert.True(replaced.IsSuccess, replaced.Error?.Message);
        var afterReplace = (await app.ProviderAsync(partnerId))!;
        Assert.Equal("a-new-secret-from-the-partner", app.Services.GetRequiredService<IdentityProviderSecrets>().Unprotect(afterReplace.ProtectedClientSecret));
        var audits = await app.AuditAsync(partnerId, "idp.updated");
        Assert.Contains("\"clientSecretReplaced\":true", audits[^1].Details!, StringComparison.Ordinal);
        Assert.All(audits, a => Assert.DoesNotContain("a-new-secret-from-the-partner", a.Details!, StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Update_WithAVersionSomeoneElseChangedMeanwhile_IsAConflict_AndChangesNothing(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partnerId = await app.NewPartnerAsync();
        var providerId = await app.RegisterAsync(partnerId, idp.Idp.Issuer);
        var opened = (await app.ProviderAsync(partnerId))!.Version;
        var first = await app.SendAsync<Result>(new UpdateIdentityProviderCommand(providerId, opened, Settings(idp.Idp.Issuer, name: "First edit"), null), Admin);
        Assert.True(first.IsSuccess, first.Error?.Message);

        var second = await app.SendAsync<Result>(new UpdateIdentityProviderCommand(providerId, opened, Settings(idp.Idp.Issuer, name: "Second edit"), "other-secret"), Admin);

        Assert.Equal(ErrorKind.Conflict, second.Error!.Kind);
        Assert.Contains("changed this identity provider after you opened it", second.Error.Message, StringComparison.Ordinal);
        var row = (await app.ProviderAsync(partnerId))!;
        Assert.Equal("First edit", row.DisplayName);
        Assert.Equal("idp-client-secret", app.Services.GetRequiredService<IdentityProviderSecrets>().Unprotect(row.ProtectedClientSecret));
        Assert.Single(await app.AuditAsync(partnerId, "idp.updated"));
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task DisableNeedsAReason_ThenDisablesAndEnables_EachAudited(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partnerId = await app.NewPartnerAsync();
        var providerId = await app.RegisterAsync(partnerId, idp.Idp.Issuer);

        var withoutReason = await app.SendAsync<Result>(new DisableIdentityProviderCommand(providerId, "  "), Admin);
        Assert.Equal(ErrorKind.Validation, withoutReason.Error!.Kind);
        Assert.Contains("Reason", withoutReason.Error.FieldErrors!.Keys);
        Assert.Equal(IdentityProviderStatus.Enabled, (await app.ProviderAsync(partnerId))!.Status);

        var disabled = await app.SendAsync<Result>(new DisableIdentityProviderCommand(providerId, "Partner reported a compromised tenant."), Admin);
        var again = await app.SendAsync<Result>(new DisableIdentityProviderCommand(providerId, "Twice."), Admin);

        Assert.True(disabled.IsSuccess, disabled.Error?.Message);
        Assert.Equal(ErrorKind.Conflict, again.Error!.Kind);
        var row = (await app.ProviderAsync(partnerId))!;
        Assert.Equal((IdentityProviderStatus.Disabled, "Partner reported a compromised tenant."), (row.Status, row.DisabledReason));
        Assert.Contains("Partner reported a compromised tenant.", Assert.Single(await app.AuditAsync(partnerId, "idp.disabled")).Details!, StringComparison.Ordinal);
        var listed = await app.SendAsync<Result<IReadOnlyList<PartnerSummary>>>(new ListPartnersQuery(), "approver@acme.example");
        var seenByApprover = listed.Value.Single(p => p.Id == partnerId).SignIn!;
        Assert.Equal(IdentityProviderStatus.Disabled, seenByApprover.Status);
        Assert.Null(seenByApprover.Issuer);
        Assert.Null(seenByApprover.DisabledReason);

        var enabled = await app.SendAsync<Result>(new EnableIdentityProviderCommand(providerId), Admin);

        Assert.True(enabled.IsSuccess, enabled.Error?.Message);
        row = (await app.ProviderAsync(partnerId))!;
        Assert.Equal(IdentityProviderStatus.Enabled, row.Status);
        Assert.Null(row.DisabledReason);
        Assert.Single(await app.AuditAsync(partnerId, "idp.enabled"));
        Assert.Equal(ErrorKind.Conflict, (await app.SendAsync<Result>(new EnableIdentityProviderCommand(providerId), Admin)).Error!.Kind);
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Register_ASecondProviderForThePartner_IsAClearConflict(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partnerId = await app.NewPartnerAsync();
        await app.RegisterAsync(partnerId, idp.Idp.Issuer);

        var second = await app.SendAsync<Result<Guid>>(new RegisterIdentityProviderCommand(partnerId, Settings("https://login.example.com/other", name: "Other"), Secret), Admin);

        Assert.Equal(ErrorKind.Conflict, second.Error!.Kind);
        Assert.Contains("already has an identity provider (Test partner IdP); a partner has at most one", second.Error.Message, StringComparison.Ordinal);
        Assert.Equal("Test partner IdP", (await app.ProviderAsync(partnerId))!.DisplayName);
        Assert.Single(await app.AuditAsync(partnerId, "idp.registered"));
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Register_ForASuspendedOrUnknownPartner_IsRefusedPlainly_AndWritesNothing(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var suspendedId = await app.NewPartnerAsync(suspended: true);
        var unknownId = Guid.NewGuid();

        var suspended = await app.SendAsync<Result<Guid>>(new RegisterIdentityProviderCommand(suspendedId, Settings(idp.Idp.Issuer), Secret), Admin);
        var unknown = await app.SendAsync<Result<Guid>>(new RegisterIdentityProviderCommand(unknownId, Settings(idp.Idp.Issuer), Secret), Admin);

        Assert.Equal(ErrorKind.PolicyRefused, suspended.Error!.Kind);
        Assert.Contains("is suspended. Reinstate the partner before registering its identity provider.", suspended.Error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorKind.NotFound, unknown.Error!.Kind);
        Assert.Null(await app.ProviderAsync(suspendedId));
        Assert.Null(await app.ProviderAsync(unknownId));
        Assert.Empty(await app.AuditAsync(suspendedId, "idp.registered"));
    }

    public static TheoryData<DatabaseProvider, string, string> BadRegistrations()
    {
        var data = new TheoryData<DatabaseProvider, string, string>();
        foreach (var provider in new[] { DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql })
        {
            data.Add(provider, "http-authority", "Settings.Authority");
            data.Add(provider, "no-name", "Settings.DisplayName");
            data.Add(provider, "no-secret", "ClientSecret");
            data.Add(provider, "role-without-value", "Settings.PartnerAdminRoleValue");
            data.Add(provider, "email-claim-with-space", "Settings.EmailClaim");
        }

        return data;
    }

    [Theory, MemberData(nameof(BadRegistrations))]
    public async Task Register_BadInput_IsAMessageUnderItsField_AndWritesNothing(DatabaseProvider provider, string scenario, string field)
    {
        var app = apps.For(provider);
        var partnerId = await app.NewPartnerAsync();
        var settings = Settings("https://login.partner.example/tenant/v2.0");
        var secret = Secret;
        switch (scenario)
        {
            case "http-authority": settings = settings with { Authority = "http://login.partner.example/tenant" }; break;
            case "no-name": settings = settings with { DisplayName = " " }; break;
            case "no-secret": secret = "  "; break;
            case "role-without-value": settings = settings with { PartnerAdminRoleValue = "" }; break;
            case "email-claim-with-space": settings = settings with { EmailClaim = "e mail" }; break;
        }

        var registered = await app.SendAsync<Result<Guid>>(new RegisterIdentityProviderCommand(partnerId, settings, secret), Admin);

        Assert.Equal(ErrorKind.Validation, registered.Error!.Kind);
        Assert.Equal([field], registered.Error.FieldErrors!.Keys);
        Assert.Null(await app.ProviderAsync(partnerId));
        Assert.Empty(await app.AuditAsync(partnerId, "idp.registered"));
    }

    [Theory, MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Update_BadInput_ChangesNothing(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partnerId = await app.NewPartnerAsync();
        var providerId = await app.RegisterAsync(partnerId, idp.Idp.Issuer);
        var before = (await app.ProviderAsync(partnerId))!;

        var updated = await app.SendAsync<Result>(new UpdateIdentityProviderCommand(providerId, before.Version,
            Settings("https://login.partner.example/?tenant=1", name: "Changed"), "new-secret"), Admin);

        Assert.Equal(ErrorKind.Validation, updated.Error!.Kind);
        Assert.Equal(["Settings.Authority"], updated.Error.FieldErrors!.Keys);
        var after = (await app.ProviderAsync(partnerId))!;
        Assert.Equal((before.Version, before.DisplayName, before.Authority, before.ProtectedClientSecret), (after.Version, after.DisplayName, after.Authority, after.ProtectedClientSecret));
        Assert.Empty(await app.AuditAsync(partnerId, "idp.updated"));
    }

    [Theory]
    [InlineData("bob@boltnut.example")]
    [InlineData("alice@boltnut.example")]
    [InlineData("carol@fastfreight.example")]
    [InlineData("approver@acme.example")]
    public async Task EveryCommandAndQuery_ByAnyoneButAnAdministrator_IsForbidden_AndChangesNothing(string email)
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        var partnerId = await app.NewPartnerAsync();
        var providerId = await app.RegisterAsync(partnerId, idp.Idp.Issuer);
        var otherPartnerId = await app.NewPartnerAsync();
        var before = (await app.ProviderAsync(partnerId))!;

        var results = new IResultBase[]
        {
            await app.SendAsync<Result<Guid>>(new RegisterIdentityProviderCommand(otherPartnerId, Settings(idp.Idp.Issuer), Secret), email),
            await app.SendAsync<Result>(new UpdateIdentityProviderCommand(providerId, before.Version, Settings(idp.Idp.Issuer, name: "Hijacked"), "attacker-secret"), email),
            await app.SendAsync<Result>(new DisableIdentityProviderCommand(providerId, "Trying."), email),
            await app.SendAsync<Result>(new EnableIdentityProviderCommand(providerId), email),
            await app.SendAsync<Result<IdentityProviderDetails>>(new GetIdentityProviderQuery(partnerId), email),
            await app.SendAsync<Result<ConnectionTestReport>>(new TestIdentityProviderConnectionCommand(partnerId), email),
            await app.SendAsync<Result<ConnectionTestReport>>(new TestIdentityProviderConnectionCommand(partnerId, idp.Idp.Issuer), email),
        };

        Assert.All(results, r => Assert.Equal(ErrorKind.Forbidden, r.Error!.Kind));
        var after = (await app.ProviderAsync(partnerId))!;
        Assert.Equal((before.Version, before.DisplayName, before.Status, before.ProtectedClientSecret), (after.Version, after.DisplayName, after.Status, after.ProtectedClientSecret));
        Assert.Null(await app.ProviderAsync(otherPartnerId));
        Assert.Empty(await app.AuditAsync(partnerId, "idp.connection_tested"));
    }

    [Fact]
    public async Task MyOrganisation_ShowsThePartnersOwnProviderName_IssuerOnlyToItsAdmin_NeverAnotherPartners()
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        var partnerId = await app.NewPartnerAsync();
        await app.RegisterAsync(partnerId, idp.Idp.Issuer);
        string partnerName;
        await using (var db = app.CreateDbContext())
        {
            partnerName = (await db.Partners.SingleAsync(p => p.Id == partnerId)).Name;
        }

        var domain = $"p{partnerName.Split(' ')[1]}.example";
        var partnerAdmin = await app.CreateUserAsync(Roles.PartnerAdmin, partnerName, domain);
        var partnerUser = await app.CreateUserAsync(Roles.PartnerUser, partnerName, domain);

        var asAdmin = await app.SendAsync<Result<PartnerSummary>>(new GetMyPartnerQuery(), partnerAdmin);
        var asUser = await app.SendAsync<Result<PartnerSummary>>(new GetMyPartnerQuery(), partnerUser);
        var carol = await app.SendAsync<Result<PartnerSummary>>(new GetMyPartnerQuery(), "carol@fastfreight.example");

        Assert.Equal(("Test partner IdP", idp.Idp.Issuer), (asAdmin.Value.SignIn!.DisplayName, asAdmin.Value.SignIn.Issuer));
        Assert.Null(asAdmin.Value.SignIn.DisabledReason);
        Assert.Equal("Test partner IdP", asUser.Value.SignIn!.DisplayName);
        Assert.Null(asUser.Value.SignIn.Issuer);
        Assert.Equal("FastFreight Logistics", carol.Value.Name);
        Assert.Null(carol.Value.SignIn);
    }
}
