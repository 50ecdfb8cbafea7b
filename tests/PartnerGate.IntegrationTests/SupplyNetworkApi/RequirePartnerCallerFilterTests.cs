using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using PartnerGate.SupplyNetworkApi.Endpoints;

namespace PartnerGate.IntegrationTests.SupplyNetworkApi;

/// <summary>
/// The portal never issues a valid token without a partner, so the refusal of one is proven here on the filter
/// itself, with the principal the library would produce from such a token.
/// </summary>
public sealed class RequirePartnerCallerFilterTests
{
    private const string GrantId = "6a1b0c3d-0000-4000-8000-000000000001";
    private const string PartnerId = "b0170000-0000-4000-8000-000000000001";

    /// <summary>Claims as "type=value" pairs separated by ';'.</summary>
    public static TheoryData<string> MalformedCallers() =>
    [
        $"grant_id={GrantId};client_id=erp;sub=erp",
        $"partner_id=not-a-guid;grant_id={GrantId};client_id=erp;sub=erp",
        $"partner_id={PartnerId};partner_id=fa570000-0000-4000-8000-000000000002;grant_id={GrantId};client_id=erp;sub=erp",
        $"partner_id={Guid.Empty};grant_id={GrantId};client_id=erp;sub=erp",
        $"partner_id={PartnerId};client_id=erp;sub=erp",
    ];

    [Theory]
    [MemberData(nameof(MalformedCallers))]
    public async Task TokenWithoutOneWellFormedPartner_Is403Problem_AndTheEndpointNeverRuns(string claims)
    {
        var (result, endpointRan) = await InvokeAsync(claims);

        var problem = Assert.IsType<ProblemHttpResult>(result);
        Assert.Equal(StatusCodes.Status403Forbidden, problem.StatusCode);
        Assert.False(endpointRan);
    }

    [Fact]
    public async Task WellFormedCaller_ReachesTheEndpoint()
    {
        var (result, endpointRan) = await InvokeAsync($"partner_id={PartnerId};grant_id={GrantId};client_id=erp;sub=erp");

        Assert.True(endpointRan);
        Assert.Equal(Guid.Parse(PartnerId), Assert.IsType<Guid>(result));
    }

    private static async Task<(object? Result, bool EndpointRan)> InvokeAsync(string claims)
    {
        var identity = new ClaimsIdentity(claims.Split(';').Select(pair => pair.Split('=', 2)).Select(pair => new Claim(pair[0], pair[1])), "PartnerGate");
        var http = new DefaultHttpContext { User = new ClaimsPrincipal(identity) };
        var endpointRan = false;
        var result = await new RequirePartnerCallerFilter().InvokeAsync(new DefaultEndpointFilterInvocationContext(http), context =>
        {
            endpointRan = true;
            return ValueTask.FromResult<object?>(context.HttpContext.Caller().PartnerId);
        });
        return (result, endpointRan);
    }
}
