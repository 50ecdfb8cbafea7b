using System.IdentityModel.Tokens.Jwt;
using System.Net.Http.Json;
using System.Text.Json;
using PartnerGate.IntegrationTests.Infrastructure;

namespace PartnerGate.IntegrationTests.Features.Federation;

/// <summary>The federation tests lean on the independent IdP process; this proves it is what they assume.</summary>
public sealed class TestIdentityProviderTests
{
    [Fact]
    public async Task TestIdp_StartedOnLoopback_PublishesDiscoveryAndIssuesWorkloadJwts()
    {
        await using var idp = await TestIdentityProvider.StartAsync(
            [TestIdpClient.Workload("workload", "workload-secret")],
            [],
            [new TestIdpWorkloadResource("https://partnergate.test/", 120)]);

        using var http = new HttpClient();
        var discovery = await http.GetFromJsonAsync<JsonElement>(idp.Issuer + "/.well-known/openid-configuration", TestContext.Current.CancellationToken);
        Assert.Equal(idp.Issuer, discovery.GetProperty("issuer").GetString());

        var token = new JwtSecurityTokenHandler().ReadJwtToken(await idp.WorkloadTokenAsync("workload", "workload-secret", "https://partnergate.test/"));
        Assert.Equal(idp.Issuer, token.Issuer);
        Assert.Equal(["https://partnergate.test/"], token.Audiences);
        Assert.Equal("workload", token.Subject);
        Assert.Equal("ES256", token.Header.Alg);
        Assert.False(string.IsNullOrEmpty(token.Id));
        Assert.Equal(TimeSpan.FromSeconds(120), token.ValidTo - token.IssuedAt);
    }
}
