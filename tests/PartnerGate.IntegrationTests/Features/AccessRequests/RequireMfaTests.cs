using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Features.Clients;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.AccessRequests;

namespace PartnerGate.IntegrationTests.Features.AccessRequests;

/// <summary>An access policy's "required MFA": decided by the requesting person's session (claim amr = mfa), for themself and for their clients.</summary>
public sealed class RequireMfaTests(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    private const string MfaMessage =
        "Line telemetry requires a multi-factor sign-in; sign in through your organisation's identity provider with MFA, then ask again.";

    private readonly Apps apps = new(sqlite, postgreSql);

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task RequestForMfaResource_WithoutMultiFactorSession_IsRefused_WithMultiFactorSession_IsSubmitted(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var user = await app.NewBoltNutUserAsync();

        var refused = await app.RequestAsync(user, "line-telemetry", ["telemetry.read"], TimeSpan.FromHours(2));
        var submitted = await app.RequestAsync(user, "line-telemetry", ["telemetry.read"], TimeSpan.FromHours(2), multiFactorSession: true);

        Assert.Equal(ErrorKind.PolicyRefused, refused.Error!.Kind);
        Assert.Equal("request.mfa_required", refused.Error.Code);
        Assert.Equal(MfaMessage, refused.Error.Message);
        Assert.True(submitted.IsSuccess, submitted.Error?.Message);
        await using var db = app.CreateDbContext();
        var resourceId = await app.ResourceIdAsync("line-telemetry");
        var userId = (await db.Users.SingleAsync(u => u.Email == user)).Id;
        var requests = await db.AccessRequests.Where(r => r.ResourceId == resourceId && r.RequestedByUserId == userId).Select(r => r.Id).ToListAsync();
        Assert.Equal([submitted.Value.RequestId], requests);
    }

    [Fact]
    public async Task RequestForMfaResource_ForAServiceClient_IsDecidedByTheRequestersSession()
    {
        var clientId = ClientWorkflow.NewClientId();
        await sqlite.RegisteredSecretClientAsync(clientId);
        var resourceId = await sqlite.ResourceIdAsync("line-telemetry");
        var command = new RequestAccessCommand(resourceId, ["telemetry.read"], null, TimeSpan.FromHours(2), Workflow.Justification, null, clientId);

        var refused = await sqlite.SendAsync<Result<RequestAccessOutcome>>(command, ClientWorkflow.Alice);
        var submitted = await sqlite.SendWithMultiFactorSessionAsync<Result<RequestAccessOutcome>>(command, ClientWorkflow.Alice);

        Assert.Equal("request.mfa_required", refused.Error!.Code);
        Assert.True(submitted.IsSuccess, submitted.Error?.Message);
    }

    [Fact]
    public async Task RequestForResourceWithoutMfaPolicy_PasswordSessionIsEnough()
    {
        var user = await sqlite.NewBoltNutUserAsync();

        var result = await sqlite.RequestAsync(user, "purchase-orders", ["orders.read"], TimeSpan.FromDays(1));

        Assert.True(result.IsSuccess, result.Error?.Message);
    }
}
