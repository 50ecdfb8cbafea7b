using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Features.Grants;

namespace PartnerGate.IntegrationTests.Features.AccessRequests;

/// <summary>Invariant 4 at the handler level: FastFreight cannot see or act on BoltNut's requests and grants, even with their ids.</summary>
public sealed class CrossPartnerTests(SqliteApp app)
{
    private const string Carol = "carol@fastfreight.example";

    private async Task<(string Bob, Guid PendingRequest, Guid Grant)> BoltNutRequestAndGrantAsync()
    {
        var bob = await app.NewBoltNutUserAsync();
        var pending = await app.SubmittedAsync(bob, "purchase-orders", "orders.read", TimeSpan.FromDays(1));
        var granted = await app.RequestAsync(bob, "demand-forecast", ["forecast.read"], TimeSpan.FromHours(2));
        return (bob, pending, granted.Value.GrantId!.Value);
    }

    [Fact]
    public async Task OtherPartner_RequestDetailsCancelAndLists_SeeNothing()
    {
        var (_, pending, _) = await BoltNutRequestAndGrantAsync();

        var details = await app.SendAsync<Result<AccessRequestDetails>>(new GetAccessRequestDetailsQuery(pending), Carol);
        var cancel = await app.SendAsync<Result>(new CancelAccessRequestCommand(pending), Carol);
        var list = await app.SendAsync<Result<IReadOnlyList<AccessRequestSummary>>>(new ListMyAccessRequestsQuery(), Carol);

        Assert.Equal(ErrorKind.NotFound, details.Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, cancel.Error!.Kind);
        Assert.DoesNotContain(list.Value, r => r.Id == pending || r.PartnerName != "FastFreight Logistics");
    }

    [Fact]
    public async Task OtherPartner_CannotRevokeOrListAnotherPartnersGrant()
    {
        var (_, _, grant) = await BoltNutRequestAndGrantAsync();

        var revoke = await app.SendAsync<Result>(new RevokeGrantCommand(grant, "not ours"), Carol);
        var grants = await app.SendAsync<Result<IReadOnlyList<GrantSummary>>>(new ListGrantsQuery(CurrentOnly: false), Carol);

        Assert.Equal(ErrorKind.NotFound, revoke.Error!.Kind);
        Assert.DoesNotContain(grants.Value, g => g.Id == grant || g.PartnerName != "FastFreight Logistics");
    }

    [Fact]
    public async Task Colleague_SeesOnlyOwnRequests_PartnerAdminSeesTheOrganisations()
    {
        var (bob, pending, grant) = await BoltNutRequestAndGrantAsync();
        var colleague = await app.NewBoltNutUserAsync();

        var colleagueDetails = await app.SendAsync<Result<AccessRequestDetails>>(new GetAccessRequestDetailsQuery(pending), colleague);
        var colleagueRevoke = await app.SendAsync<Result>(new RevokeGrantCommand(grant, null), colleague);
        var adminDetails = await app.SendAsync<Result<AccessRequestDetails>>(new GetAccessRequestDetailsQuery(pending), "alice@boltnut.example");
        var adminGrants = await app.SendAsync<Result<IReadOnlyList<GrantSummary>>>(new ListGrantsQuery(), "alice@boltnut.example");

        Assert.Equal(ErrorKind.NotFound, colleagueDetails.Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, colleagueRevoke.Error!.Kind);
        Assert.True(adminDetails.Value.CanCancel);
        Assert.False(adminDetails.Value.CanDecide);
        Assert.Contains(adminGrants.Value, g => g.Id == grant);
        Assert.NotEmpty(bob);
    }

    [Fact]
    public async Task ApproverDetails_ShowEverythingNeededToDecide()
    {
        var (_, pending, _) = await BoltNutRequestAndGrantAsync();

        var details = (await app.SendAsync<Result<AccessRequestDetails>>(new GetAccessRequestDetailsQuery(pending), "approver@acme.example")).Value;

        Assert.True(details.CanDecide);
        Assert.Equal("BoltNut Supply", details.PartnerName);
        Assert.Contains(details.PartnerCertifications, c => c.Name == "TISAX" && c.IsValid);
        Assert.Equal(Domain.Resources.Sensitivity.Medium, details.Sensitivity);
        Assert.Equal(["orders.read"], details.Scopes);
        Assert.Equal(Workflow.Justification, details.Justification);
        Assert.Equal("CHG-4711", details.TicketReference);
        Assert.Equal(TimeSpan.FromDays(1), details.NotAfter - details.NotBefore);
    }
}
