using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Clients;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static PartnerGate.IntegrationTests.Features.Clients.ClientWorkflow;

namespace PartnerGate.IntegrationTests.Features.Clients;

/// <summary>Workload identity clients and workload subjects through the real pipeline: validation, invariant 4, audit.</summary>
public sealed class WorkloadSubjectsTests(SqliteApp app)
{
    [Fact]
    public async Task Register_WorkloadIdentityService_HasNoCredentialAndMayOnlyExchangeTokens()
    {
        var clientId = NewClientId();

        var registered = await app.SendAsync<Result<ClientCredentialIssued>>(new RegisterApiClientCommand(clientId, "ERP workload", ApiClientKind.Service,
            ClientAuthenticationMethod.WorkloadIdentity, [], null, ["erp-workload", " erp-workload "]), Alice);

        Assert.True(registered.IsSuccess, registered.Error?.Message);
        Assert.Null(registered.Value.Secret);
        var (client, application) = await app.RowsAsync(clientId);
        Assert.Equal(["erp-workload"], client!.WorkloadSubjects);
        Assert.Equal(ClientTypes.Public, application!.ClientType);
        Assert.Null(application.ClientSecret);
        Assert.Null(application.JsonWebKeySet);
        Assert.Equal([Permissions.Endpoints.Token, Permissions.GrantTypes.TokenExchange], JsonSerializer.Deserialize<string[]>(application.Permissions!)!);
    }

    [Fact]
    public async Task Register_WorkloadIdentityWithoutSubjectsOrAsWebApp_IsRefusedAndCreatesNothing()
    {
        var noSubjects = NewClientId();
        var webApp = NewClientId();

        var withoutSubjects = await app.SendAsync<Result<ClientCredentialIssued>>(new RegisterApiClientCommand(noSubjects, "ERP workload", ApiClientKind.Service,
            ClientAuthenticationMethod.WorkloadIdentity, [], null, []), Alice);
        var asWebApp = await app.SendAsync<Result<ClientCredentialIssued>>(new RegisterApiClientCommand(webApp, "Portal", ApiClientKind.WebApp,
            ClientAuthenticationMethod.WorkloadIdentity, ["https://portal.boltnut.example/cb"], null, ["erp"]), Alice);

        Assert.Equal(ErrorKind.Validation, withoutSubjects.Error!.Kind);
        Assert.Equal(ErrorKind.Validation, asWebApp.Error!.Kind);
        Assert.Null((await app.RowsAsync(noSubjects)).Client);
        Assert.Null((await app.RowsAsync(webApp)).Client);
    }

    [Fact]
    public async Task WorkloadIdentityClient_CannotGetASecretOrKey()
    {
        var clientId = NewClientId();
        await app.SendAsync<Result<ClientCredentialIssued>>(new RegisterApiClientCommand(clientId, "ERP workload", ApiClientKind.Service,
            ClientAuthenticationMethod.WorkloadIdentity, [], null, ["erp-workload"]), Alice);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var rotate = await app.SendAsync<Result<ClientCredentialIssued>>(new RotateClientSecretCommand(clientId), Alice);
        var replace = await app.SendAsync<Result>(new ReplaceClientKeyCommand(clientId, key.ExportSubjectPublicKeyInfoPem()), Alice);

        Assert.False(rotate.IsSuccess);
        Assert.Equal("client.workload_no_credential", replace.Error!.Code);
        var (_, application) = await app.RowsAsync(clientId);
        Assert.Null(application!.ClientSecret);
        Assert.Null(application.JsonWebKeySet);
        Assert.Equal(ClientTypes.Public, application.ClientType);
    }

    [Fact]
    public async Task SetWorkloadSubjects_OwnPartnerAdmin_ChangesThemWithAnAuditEvent()
    {
        var clientId = NewClientId();
        await app.RegisteredSecretClientAsync(clientId);

        var set = await app.SendAsync<Result>(new SetWorkloadSubjectsCommand(clientId, ["erp-prod", " erp-test ", "erp-prod"]), Alice);

        Assert.True(set.IsSuccess, set.Error?.Message);
        Assert.Equal(["erp-prod", "erp-test"], (await app.RowsAsync(clientId)).Client!.WorkloadSubjects);
        await using var db = app.CreateDbContext();
        var audit = await db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == "client.workload_subjects_changed" && e.TargetId == clientId,
            TestContext.Current.CancellationToken);
        var details = JsonDocument.Parse(audit.Details!).RootElement;
        Assert.Empty(details.GetProperty("before").EnumerateArray());
        Assert.Equal(["erp-prod", "erp-test"], details.GetProperty("after").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task SetWorkloadSubjects_InvalidLists_AreFieldErrorsAndChangeNothing()
    {
        var clientId = NewClientId();
        await app.RegisteredSecretClientAsync(clientId);
        var (before, _) = await app.RowsAsync(clientId);

        var tooMany = await app.SendAsync<Result>(new SetWorkloadSubjectsCommand(clientId, Enumerable.Range(0, 21).Select(i => $"w{i}").ToList()), Alice);
        var tooLong = await app.SendAsync<Result>(new SetWorkloadSubjectsCommand(clientId, [new string('w', 257)]), Alice);
        var lineBreak = await app.SendAsync<Result>(new SetWorkloadSubjectsCommand(clientId, ["erp\nprod"]), Alice);

        Assert.All(new[] { tooMany, tooLong, lineBreak }, r =>
        {
            Assert.Equal(ErrorKind.Validation, r.Error!.Kind);
            Assert.NotNull(r.Error.FieldErrors);
        });
        var (after, _) = await app.RowsAsync(clientId);
        Assert.Equal(before!.Version, after!.Version);
        Assert.Empty(after.WorkloadSubjects);
    }

    [Fact]
    public async Task SetWorkloadSubjects_OtherPartnerOrPartnerUserOrAdministrator_ChangesNothing()
    {
        var clientId = NewClientId();
        await app.RegisteredSecretClientAsync(clientId);

        var carol = await app.SendAsync<Result>(new SetWorkloadSubjectsCommand(clientId, ["evil"]), Carol);
        var bob = await app.SendAsync<Result>(new SetWorkloadSubjectsCommand(clientId, ["evil"]), Bob);
        var admin = await app.SendAsync<Result>(new SetWorkloadSubjectsCommand(clientId, ["evil"]), Admin);

        Assert.Equal(ErrorKind.NotFound, carol.Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, bob.Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, admin.Error!.Kind);
        Assert.Empty((await app.RowsAsync(clientId)).Client!.WorkloadSubjects);
    }
}
