using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Clients;
using static PartnerGate.IntegrationTests.Features.Clients.ClientWorkflow;

namespace PartnerGate.IntegrationTests.Features.Clients;

/// <summary>
/// Registered clients against the real token endpoint, on SQLite and PostgreSQL. A client without grants
/// gets invalid_scope (400) once its credential is accepted, a bad credential invalid_client (401): that
/// difference proves which credential works.
/// </summary>
public sealed class ApiClientTokenTests(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    private readonly Apps apps = new(sqlite, postgreSql);

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task RegisterWithSecret_SecretWorksAtTokenEndpoint_AndOnlyItsHashIsStored(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var clientId = NewClientId();

        var secret = await app.RegisteredSecretClientAsync(clientId);

        Assert.StartsWith("pgs_", secret, StringComparison.Ordinal);
        await AssertOAuthErrorAsync(await app.SecretTokenAsync(clientId, secret), HttpStatusCode.BadRequest, "invalid_scope");
        await AssertOAuthErrorAsync(await app.SecretTokenAsync(clientId, secret + "x"), HttpStatusCode.Unauthorized, "invalid_client");
        await app.GrantForecastAsync(clientId);
        await AssertTokenIssuedAsync(await app.SecretTokenAsync(clientId, secret));

        var (client, application) = await app.RowsAsync(clientId);
        Assert.Equal(ClientAuthenticationMethod.ClientSecret, client!.AuthenticationMethod);
        Assert.StartsWith("sha256:", application!.ClientSecret, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, application.ClientSecret, StringComparison.Ordinal);
        await using var db = app.CreateDbContext();
        var audit = await db.AuditEvents.AsNoTracking().Where(e => e.TargetId == clientId).ToListAsync();
        Assert.Contains(audit, e => e.Action == "client.registered");
        Assert.DoesNotContain(audit, e => (e.Details ?? string.Empty).Contains(secret, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task RotateSecret_OldSecretIsRefusedAtOnce_NewOneWorks(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var clientId = NewClientId();
        var oldSecret = await app.RegisteredSecretClientAsync(clientId);
        await app.GrantForecastAsync(clientId);
        await AssertTokenIssuedAsync(await app.SecretTokenAsync(clientId, oldSecret));

        var rotated = await app.SendAsync<Result<ClientCredentialIssued>>(new RotateClientSecretCommand(clientId), Alice);

        Assert.True(rotated.IsSuccess, rotated.Error?.Message);
        Assert.NotEqual(oldSecret, rotated.Value.Secret);
        await AssertOAuthErrorAsync(await app.SecretTokenAsync(clientId, oldSecret), HttpStatusCode.Unauthorized, "invalid_client");
        await AssertTokenIssuedAsync(await app.SecretTokenAsync(clientId, rotated.Value.Secret!));
        await using var db = app.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.TargetId == clientId && e.Action == "client.secret_rotated"));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task PrivateKeyJwt_PastedPem_Rfc7523bisAssertionSignedByTheKeyIsAccepted_AnotherKeyOrGenericTypIsNot(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var clientId = NewClientId();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var registered = await app.RegisterAsync(Alice, clientId, ClientAuthenticationMethod.PrivateKeyJwt, key.ExportSubjectPublicKeyInfoPem());

        Assert.True(registered.IsSuccess, registered.Error?.Message);
        Assert.Null(registered.Value.Secret);
        await AssertOAuthErrorAsync(await app.AssertionTokenAsync(clientId, otherKey), HttpStatusCode.Unauthorized, "invalid_client");
        await AssertOAuthErrorAsync(await app.AssertionTokenAsync(clientId, key), HttpStatusCode.BadRequest, "invalid_scope");
        await AssertOAuthErrorAsync(await app.AssertionTokenAsync(clientId, key, form: AssertionForm.GenericJwt), HttpStatusCode.Unauthorized, "invalid_client");
        await app.GrantForecastAsync(clientId);
        await AssertTokenIssuedAsync(await app.AssertionTokenAsync(clientId, key));
        var (_, application) = await app.RowsAsync(clientId);
        Assert.Null(application!.ClientSecret);
        Assert.Contains("\"kty\":\"EC\"", application.JsonWebKeySet, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task ReplaceKey_SecretClientSwitchesToPrivateKeyJwt_SecretStopsWorking(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var clientId = NewClientId();
        var secret = await app.RegisteredSecretClientAsync(clientId);
        await app.GrantForecastAsync(clientId);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var replaced = await app.SendAsync<Result>(new ReplaceClientKeyCommand(clientId, key.ExportSubjectPublicKeyInfoPem()), Alice);

        Assert.True(replaced.IsSuccess, replaced.Error?.Message);
        await AssertOAuthErrorAsync(await app.SecretTokenAsync(clientId, secret), HttpStatusCode.Unauthorized, "invalid_client");
        await AssertTokenIssuedAsync(await app.AssertionTokenAsync(clientId, key));
        Assert.Equal(ClientAuthenticationMethod.PrivateKeyJwt, (await app.RowsAsync(clientId)).Client!.AuthenticationMethod);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task DisabledClient_IsInvalidClient_UntilEnabledAgain(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var clientId = NewClientId();
        var secret = await app.RegisteredSecretClientAsync(clientId);
        await app.GrantForecastAsync(clientId);

        var disabled = await app.SendAsync<Result>(new DisableApiClientCommand(clientId, "Suspected leak of the secret."), Alice);

        Assert.True(disabled.IsSuccess, disabled.Error?.Message);
        await AssertOAuthErrorAsync(await app.SecretTokenAsync(clientId, secret), HttpStatusCode.Unauthorized, "invalid_client");
        Assert.True((await app.SendAsync<Result>(new EnableApiClientCommand(clientId), Alice)).IsSuccess);
        await AssertTokenIssuedAsync(await app.SecretTokenAsync(clientId, secret));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Delete_RevokesTheClientsGrant_AndRemovesItsRowsAndTokens(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var clientId = NewClientId();
        var secret = await app.RegisteredSecretClientAsync(clientId);
        var grantId = await app.GrantForecastAsync(clientId);
        await AssertTokenIssuedAsync(await app.SecretTokenAsync(clientId, secret));

        var deleted = await app.SendAsync<Result>(new DeleteApiClientCommand(clientId), Alice);

        Assert.True(deleted.IsSuccess, deleted.Error?.Message);
        var (client, application) = await app.RowsAsync(clientId);
        Assert.Null(client);
        Assert.Null(application);
        await using var db = app.CreateDbContext();
        var grant = await db.Grants.AsNoTracking().SingleAsync(g => g.Id == grantId);
        Assert.Equal(GrantStatus.Revoked, grant.Status);
        Assert.Equal(DeleteApiClientHandler.GrantRevocationReason, grant.StatusReason);
        Assert.False(await db.GrantAuthorizations.AnyAsync(l => l.GrantId == grantId));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.TargetId == clientId && e.Action == "client.deleted"));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.TargetId == grantId.ToString() && e.Action == "grant.revoked"));
        await AssertOAuthErrorAsync(await app.SecretTokenAsync(clientId, secret), HttpStatusCode.Unauthorized, "invalid_client");
    }
}
