using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Features.AccessRequests;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Features.Clients;
using PartnerGate.Web.Features.Grants;
using static PartnerGate.IntegrationTests.Features.Clients.ClientWorkflow;

namespace PartnerGate.IntegrationTests.Features.Clients;

/// <summary>Invariants 4 and 10 for API clients, through the real pipeline: who may do what, and bad input changes nothing.</summary>
public sealed class ApiClientAccessTests(SqliteApp app)
{
    [Fact]
    public async Task OtherPartnersAdmin_CannotListSeeRotateReplaceDisableEnableOrDeleteTheClient_AndNothingChanges()
    {
        var (before, applicationBefore) = await app.RowsAsync(FastFreightClient);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var list = await app.SendAsync<Result<IReadOnlyList<ApiClientSummary>>>(new ListApiClientsQuery(), Alice);
        var details = await app.SendAsync<Result<ApiClientDetails>>(new GetApiClientQuery(FastFreightClient), Alice);
        var rotate = await app.SendAsync<Result<ClientCredentialIssued>>(new RotateClientSecretCommand(FastFreightClient), Alice);
        var replace = await app.SendAsync<Result>(new ReplaceClientKeyCommand(FastFreightClient, key.ExportSubjectPublicKeyInfoPem()), Alice);
        var disable = await app.SendAsync<Result>(new DisableApiClientCommand(FastFreightClient, "Not ours."), Alice);
        var enable = await app.SendAsync<Result>(new EnableApiClientCommand(FastFreightClient), Alice);
        var delete = await app.SendAsync<Result>(new DeleteApiClientCommand(FastFreightClient), Alice);

        Assert.True(list.IsSuccess);
        Assert.NotEmpty(list.Value);
        Assert.All(list.Value, c => Assert.Equal("BoltNut Supply", c.PartnerName));
        Assert.All(new IResultBase[] { details, rotate, replace, disable, enable, delete }, r => Assert.Equal(ErrorKind.NotFound, r.Error!.Kind));
        var (after, applicationAfter) = await app.RowsAsync(FastFreightClient);
        Assert.Equal(before!.Version, after!.Version);
        Assert.Equal(ApiClientStatus.Active, after.Status);
        Assert.Equal(applicationBefore!.ClientSecret, applicationAfter!.ClientSecret);
        Assert.Null(applicationAfter.JsonWebKeySet);
    }

    [Fact]
    public async Task PartnerUser_SeesTheOrganisationsClients_ButCannotRegisterOrManageThem()
    {
        var clientId = NewClientId();

        var register = await app.RegisterAsync(Bob, clientId);
        var rotate = await app.SendAsync<Result<ClientCredentialIssued>>(new RotateClientSecretCommand("boltnut-erp"), Bob);
        var disable = await app.SendAsync<Result>(new DisableApiClientCommand("boltnut-erp", "Trying."), Bob);
        var delete = await app.SendAsync<Result>(new DeleteApiClientCommand("boltnut-erp"), Bob);
        var list = await app.SendAsync<Result<IReadOnlyList<ApiClientSummary>>>(new ListApiClientsQuery(), Bob);

        Assert.Equal(ErrorKind.Forbidden, register.Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, rotate.Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, disable.Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, delete.Error!.Kind);
        Assert.Null((await app.RowsAsync(clientId)).Client);
        Assert.Contains(list.Value, c => c.ClientId == "boltnut-erp");
        Assert.All(list.Value, c => Assert.Equal("BoltNut Supply", c.PartnerName));
    }

    [Fact]
    public async Task Administrator_SeesAllAndDisablesAny_PartnerAdminCannotReEnable_AdministratorCan()
    {
        var clientId = NewClientId();
        await app.RegisteredSecretClientAsync(clientId);

        var list = await app.SendAsync<Result<IReadOnlyList<ApiClientSummary>>>(new ListApiClientsQuery(), Admin);
        var disabled = await app.SendAsync<Result>(new DisableApiClientCommand(clientId, "Security review of BoltNut's integration."), Admin);
        var partnerEnable = await app.SendAsync<Result>(new EnableApiClientCommand(clientId), Alice);
        var stillDisabled = (await app.RowsAsync(clientId)).Client!;
        var adminEnable = await app.SendAsync<Result>(new EnableApiClientCommand(clientId), Admin);

        Assert.Contains(list.Value, c => c.ClientId == FastFreightClient && c.PartnerName == "FastFreight Logistics");
        Assert.Contains(list.Value, c => c.ClientId == clientId && c.PartnerName == "BoltNut Supply");
        Assert.True(disabled.IsSuccess, disabled.Error?.Message);
        Assert.Equal("client.disabled_by_manufacturer", partnerEnable.Error!.Code);
        Assert.Equal(ApiClientStatus.Disabled, stillDisabled.Status);
        Assert.True(stillDisabled.DisabledByManufacturer);
        Assert.True(adminEnable.IsSuccess, adminEnable.Error?.Message);
        Assert.Equal(ApiClientStatus.Active, (await app.RowsAsync(clientId)).Client!.Status);
    }

    [Fact]
    public async Task Administrator_CannotRotateOrDeleteAPartnersClient()
    {
        var rotate = await app.SendAsync<Result<ClientCredentialIssued>>(new RotateClientSecretCommand(FastFreightClient), Admin);
        var delete = await app.SendAsync<Result>(new DeleteApiClientCommand(FastFreightClient), Admin);

        Assert.Equal(ErrorKind.Forbidden, rotate.Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, delete.Error!.Kind);
        Assert.NotNull((await app.RowsAsync(FastFreightClient)).Client);
    }

    [Fact]
    public async Task Disable_WithoutReason_IsAValidationMessage_AndChangesNothing()
    {
        var clientId = NewClientId();
        await app.RegisteredSecretClientAsync(clientId);

        var disabled = await app.SendAsync<Result>(new DisableApiClientCommand(clientId, "  "), Alice);

        Assert.Equal(ErrorKind.Validation, disabled.Error!.Kind);
        Assert.Equal(ApiClientStatus.Active, (await app.RowsAsync(clientId)).Client!.Status);
    }

    public static TheoryData<string, string> BadRegistrations => new()
    {
        { "invalid-id", "ClientId" },
        { "private-key", "PublicKey" },
        { "http-redirect", "RedirectUris" },
        { "webapp-without-redirect", "RedirectUris" },
        { "not-a-key", "PublicKey" },
        { "secret-with-key", "PublicKey" },
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    public async Task Register_BadInput_IsAFieldMessage_AndWritesNoRow(string scenario, string field)
    {
        var clientId = NewClientId();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var command = scenario switch
        {
            "invalid-id" => Command("Bad_ID!", ClientAuthenticationMethod.ClientSecret),
            "private-key" => Command(clientId, ClientAuthenticationMethod.PrivateKeyJwt, key.ExportECPrivateKeyPem()),
            "http-redirect" => Command(clientId, ClientAuthenticationMethod.ClientSecret, kind: ApiClientKind.WebApp, redirectUris: ["http://erp.boltnut.example/callback"]),
            "webapp-without-redirect" => Command(clientId, ClientAuthenticationMethod.ClientSecret, kind: ApiClientKind.WebApp),
            "not-a-key" => Command(clientId, ClientAuthenticationMethod.PrivateKeyJwt, "-----BEGIN PUBLIC KEY-----\nnonsense\n-----END PUBLIC KEY-----"),
            _ => Command(clientId, ClientAuthenticationMethod.ClientSecret, key.ExportSubjectPublicKeyInfoPem()),
        };
        var result = await app.SendAsync<Result<ClientCredentialIssued>>(command, Alice);

        Assert.Equal(ErrorKind.Validation, result.Error!.Kind);
        Assert.Contains(result.Error.FieldErrors!.Keys, k => k.StartsWith(field, StringComparison.Ordinal));
        Assert.DoesNotContain("BEGIN EC PRIVATE KEY", result.Error.Message, StringComparison.Ordinal);
        var (client, application) = await app.RowsAsync(command.ClientId);
        Assert.Null(client);
        Assert.Null(application);
        await using var db = app.CreateDbContext();
        Assert.False(await db.AuditEvents.AnyAsync(e => e.TargetId == command.ClientId));
    }

    [Fact]
    public async Task Register_DuplicateClientId_IsAClearConflict_AndWritesNothing()
    {
        var result = await app.RegisterAsync(Alice, "boltnut-erp");

        Assert.Equal(ErrorKind.Conflict, result.Error!.Kind);
        Assert.Contains("already taken", result.Error.FieldErrors!["ClientId"][0], StringComparison.Ordinal);
        await using var db = app.CreateDbContext();
        Assert.Equal(1, await db.ApiClients.CountAsync(c => c.ClientId == "boltnut-erp"));
        Assert.Equal(1, await db.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication>().CountAsync(a => a.ClientId == "boltnut-erp"));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.TargetId == "boltnut-erp" && e.Action == "client.registered"));
    }

    [Fact]
    public async Task Register_WebAppWithLoopbackRedirect_IsAccepted()
    {
        var clientId = NewClientId();

        var result = await app.RegisterAsync(Alice, clientId, kind: ApiClientKind.WebApp, redirectUris: ["http://localhost:7071/callback", "https://erp.boltnut.example/cb"]);

        Assert.True(result.IsSuccess, result.Error?.Message);
        var details = await app.SendAsync<Result<ApiClientDetails>>(new GetApiClientQuery(clientId), Alice);
        Assert.Equal(["http://localhost:7071/callback", "https://erp.boltnut.example/cb"], details.Value.RedirectUris);
    }

    [Fact]
    public async Task RequestForOwnServiceClient_ApprovedGrantHasClientSubject_AndListsNameTheClient()
    {
        var clientId = NewClientId();
        await app.RegisteredSecretClientAsync(clientId);

        var requested = await app.SendAsync<Result<RequestAccessOutcome>>(new RequestAccessCommand(
            await app.ResourceIdAsync("purchase-orders"), ["orders.read"], null, TimeSpan.FromDays(1), Workflow.Justification, null, clientId), Bob);
        Assert.True(requested.IsSuccess, requested.Error?.Message);
        var approved = await app.ApproveAsync("approver@acme.example", requested.Value.RequestId);

        Assert.True(approved.IsSuccess, approved.Error?.Message);
        await using var db = app.CreateDbContext();
        var grant = await db.Grants.AsNoTracking().SingleAsync(g => g.AccessRequestId == requested.Value.RequestId);
        Assert.Equal(new AccessSubject(SubjectKind.Client, clientId), grant.Subject);
        var grants = await app.SendAsync<Result<IReadOnlyList<GrantSummary>>>(new ListGrantsQuery(), Alice);
        Assert.Contains(grants.Value, g => g.Id == grant.Id && g.SubjectName == $"client {clientId}");
        var details = await app.SendAsync<Result<ApiClientDetails>>(new GetApiClientQuery(clientId), Alice);
        Assert.Contains(details.Value.Grants, g => g.GrantId == grant.Id);
        Assert.Equal(1, details.Value.Client.ActiveGrants);
    }

    [Fact]
    public async Task RequestForAnotherPartnersClient_OrAWebAppOrADisabledClient_IsRefused_AndWritesNothing()
    {
        var webApp = NewClientId();
        Assert.True((await app.RegisterAsync(Alice, webApp, kind: ApiClientKind.WebApp, redirectUris: ["https://erp.boltnut.example/cb"])).IsSuccess);
        var disabled = NewClientId();
        await app.RegisteredSecretClientAsync(disabled);
        Assert.True((await app.SendAsync<Result>(new DisableApiClientCommand(disabled, "Paused."), Alice)).IsSuccess);
        var resource = await app.ResourceIdAsync("demand-forecast");

        Task<Result<RequestAccessOutcome>> RequestFor(string clientId) => app.SendAsync<Result<RequestAccessOutcome>>(new RequestAccessCommand(
            resource, ["forecast.read"], null, TimeSpan.FromHours(1), Workflow.Justification, null, clientId), Bob);

        Assert.Equal("request.client_not_found", (await RequestFor(FastFreightClient)).Error!.Code);
        Assert.Equal("request.client_not_service", (await RequestFor(webApp)).Error!.Code);
        Assert.Equal("request.client_disabled", (await RequestFor(disabled)).Error!.Code);
        await using var db = app.CreateDbContext();
        Assert.False(await db.AccessRequests.AnyAsync(r => r.Subject.Kind == SubjectKind.Client
            && (r.Subject.Id == webApp || r.Subject.Id == disabled || r.Subject.Id == FastFreightClient)));
    }

    private static RegisterApiClientCommand Command(string clientId, ClientAuthenticationMethod method, string? publicKey = null,
        ApiClientKind kind = ApiClientKind.Service, IReadOnlyList<string>? redirectUris = null) =>
        new(clientId, "Bad input client", kind, method, redirectUris ?? [], publicKey);
}
