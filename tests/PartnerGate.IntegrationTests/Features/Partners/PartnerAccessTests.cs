using System.Net;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Partners;
using PartnerGate.Web.Features.Resources;

namespace PartnerGate.IntegrationTests.Features.Partners;

/// <summary>Invariant 4 for the partner pages and queries: partner members see their own organisation only.</summary>
public sealed class PartnerAccessTests(SqliteApp app)
{
    [Fact]
    public async Task PartnersPage_PartnerUser_IsDenied()
    {
        var client = await app.SignedInClientAsync("bob@boltnut.example");

        var response = await client.GetAsync("/partners");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/access-denied", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PartnersPage_Approver_SeesEveryPartnerWithCertificationState()
    {
        var client = await app.SignedInClientAsync("approver@acme.example");

        var page = await client.GetStringAsync("/partners");

        Assert.Contains("BoltNut Supply", page, StringComparison.Ordinal);
        Assert.Contains("FastFreight Logistics", page, StringComparison.Ordinal);
        Assert.Contains("SensorTech Services", page, StringComparison.Ordinal);
        Assert.Contains("TISAX — lapsed on", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrganisationPage_PartnerAdmin_SeesOwnPartnerOnly()
    {
        var client = await app.SignedInClientAsync("carol@fastfreight.example");

        var page = await client.GetStringAsync("/organisation");

        Assert.Contains("FastFreight Logistics", page, StringComparison.Ordinal);
        Assert.DoesNotContain("BoltNut", page, StringComparison.Ordinal);
        Assert.DoesNotContain("SensorTech", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OrganisationPage_ManufacturerStaff_IsDenied()
    {
        var client = await app.SignedInClientAsync("admin@acme.example");

        var response = await client.GetAsync("/organisation");

        Assert.Contains("/account/access-denied", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bob@boltnut.example")]
    [InlineData("alice@boltnut.example")]
    public async Task ListPartnersQuery_PartnerMember_IsForbiddenWhoeverSendsIt(string email)
    {
        var result = await app.SendAsync<Result<IReadOnlyList<PartnerSummary>>>(new ListPartnersQuery(), email);

        Assert.Equal(ErrorKind.Forbidden, result.Error!.Kind);
    }

    [Theory]
    [InlineData("bob@boltnut.example", "BoltNut Supply")]
    [InlineData("dave@sensortech.example", "SensorTech Services")]
    public async Task GetMyPartnerQuery_ReturnsOwnPartner(string email, string partnerName)
    {
        var result = await app.SendAsync<Result<PartnerSummary>>(new GetMyPartnerQuery(), email);

        Assert.Equal(partnerName, result.Value.Name);
    }

    [Fact]
    public async Task GetMyPartnerQuery_ManufacturerStaff_IsForbidden()
    {
        var result = await app.SendAsync<Result<PartnerSummary>>(new GetMyPartnerQuery(), "approver@acme.example");

        Assert.Equal(ErrorKind.Forbidden, result.Error!.Kind);
    }

    [Fact]
    public async Task ResourceCatalogue_PartnerUser_SeesAllFiveResourcesInPlainWords()
    {
        var result = await app.SendAsync<Result<IReadOnlyList<ResourceSummary>>>(new ListResourcesQuery(), "bob@boltnut.example");

        Assert.Equal(["Demand forecast", "Inventory", "Line telemetry", "Purchase orders", "Quality records"], result.Value.Select(r => r.DisplayName));
        var telemetry = result.Value.Single(r => r.Name == "line-telemetry");
        Assert.Equal("https://supply.acme.example/line-telemetry", telemetry.Audience);
        Assert.Contains("Valid TISAX certification", telemetry.Requirements);
    }
}
