using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PartnerGate.Data;
using PartnerGate.Domain.Partners;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Demo;
using PartnerGate.Web.Infrastructure.Federation;
using static PartnerGate.IntegrationTests.Features.Connect.TokenClients;
using static PartnerGate.IntegrationTests.Features.Connect.TokenExchangeTests;
using static PartnerGate.IntegrationTests.Features.Connect.TokenExchangeWorld;

namespace PartnerGate.IntegrationTests.Features.Connect;

/// <summary>
/// Token exchange refusals that need more than the shared app and IdP: a moved clock (its own app with a
/// <see cref="FakeTimeProvider"/>, never a sleep), and IdP processes of their own (another partner's, a long-lived one).
/// </summary>
public sealed class TokenExchangeIssuerTests(SqliteApp sqlite, TokenExchangeIdp idp) : IClassFixture<TokenExchangeIdp>
{
    [Fact]
    public async Task Exchange_SubjectTokenExpired_IsInvalidGrant()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = new PartnerGateAppFactory(DatabaseProvider.Sqlite,
            extraSettings: new Dictionary<string, string?> { ["Sweep:Enabled"] = "false" },
            configureServices: services => services.AddSingleton<TimeProvider>(clock));
        await app.InitializeAsync();
        var client = await app.CreateAsync(idp.Idp.Issuer, [TokenExchangeIdp.Workload], TimeSpan.FromDays(1));
        var http = app.CreateClient();
        var stillValid = await idp.WorkloadTokenAsync();
        var expiring = await idp.WorkloadTokenAsync();

        // 25 s past exp is within the 30 s of clock skew; 35 s past it is not.
        var exp = new DateTimeOffset(new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(expiring).ValidTo, TimeSpan.Zero);
        clock.SetUtcNow(exp + TimeSpan.FromSeconds(25));
        using var withinSkew = await http.ExchangeAsync(client.ClientId, stillValid);
        clock.SetUtcNow(exp + TimeSpan.FromSeconds(35));
        using var expired = await http.ExchangeAsync(client.ClientId, expiring);

        Assert.Equal(System.Net.HttpStatusCode.OK, withinSkew.StatusCode);
        await AssertRefusedAsync(expired, "invalid_grant", "expired");
        Assert.Equal(1, await CountAsync(app, "token.exchanged", client.ClientId));
    }

    [Fact]
    public async Task DemoWorkloadClient_WithBoltNutsIdpRegistered_ExchangesAsTheReadmeShows()
    {
        // Its own app: registering BoltNut's IdP would change the shared demo partner other tests sign in with.
        await using var app = new PartnerGateAppFactory(DatabaseProvider.Sqlite);
        await app.InitializeAsync();
        await using var boltNutIdp = await TestIdentityProvider.StartAsync(
            [TestIdpClient.Workload(DemoDataSeeder.ErpWorkloadClientId, "boltnut-erp-workload-secret")], [],
            [new TestIdpWorkloadResource(PartnerGateAudience, 300)]);
        await using (var db = app.CreateDbContext())
        {
            var boltNut = await db.Partners.SingleAsync(p => p.Name == BoltNut, TestContext.Current.CancellationToken);
            if (!await db.PartnerIdentityProviders.AnyAsync(p => p.PartnerId == boltNut.Id, TestContext.Current.CancellationToken))
            {
                db.PartnerIdentityProviders.Add(PartnerIdentityProvider.Register(boltNut, "BoltNut IdP", boltNutIdp.Issuer, "partnergate",
                    app.Services.GetRequiredService<IdentityProviderSecrets>().Protect("secret"), ["openid"], IdentityProviderClaimMapping.Default,
                    IdentityProviderMfaRequirement.None, DateTimeOffset.UtcNow).Value);
            }
            else
            {
                var registered = await db.PartnerIdentityProviders.SingleAsync(p => p.PartnerId == boltNut.Id, TestContext.Current.CancellationToken);
                Assert.True(registered.Update(registered.DisplayName, boltNutIdp.Issuer, registered.ClientId, null, registered.Scopes,
                    registered.ClaimMapping, registered.Mfa, DateTimeOffset.UtcNow).IsSuccess);
                if (!registered.IsEnabled)
                {
                    registered.Enable(DateTimeOffset.UtcNow);
                }
            }

            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var subjectToken = await boltNutIdp.WorkloadTokenAsync(DemoDataSeeder.ErpWorkloadClientId, "boltnut-erp-workload-secret", PartnerGateAudience);
        using var response = await app.CreateClient().ExchangeAsync(DemoDataSeeder.ErpWorkloadClientId, subjectToken);

        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, body);
        var token = TokenClients.Read(System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!);
        Assert.Equal(DemoDataSeeder.ErpWorkloadClientId, token.Subject);
        Assert.Equal([TokenClients.PurchaseOrders], token.Audiences);
    }

    [Fact]
    public async Task Exchange_SubjectTokenLivingAnHour_IsInvalidGrant()
    {
        await using var longLived = await TestIdentityProvider.StartAsync(
            [TestIdpClient.Workload(TokenExchangeIdp.Workload, TokenExchangeIdp.WorkloadSecret)], [],
            [new TestIdpWorkloadResource(PartnerGateAudience, 3600)]);
        var client = await sqlite.CreateAsync(longLived.Issuer, [TokenExchangeIdp.Workload]);

        using var response = await sqlite.CreateClient().ExchangeAsync(client.ClientId,
            await longLived.WorkloadTokenAsync(TokenExchangeIdp.Workload, TokenExchangeIdp.WorkloadSecret, PartnerGateAudience));

        await AssertRefusedAsync(response, "invalid_grant", "at most 10 minutes");
    }

    [Fact]
    public async Task Exchange_TokenOfAnotherPartnersIdp_IsInvalidGrant()
    {
        await using var otherIdp = await TestIdentityProvider.StartAsync(
            [TestIdpClient.Workload(TokenExchangeIdp.Workload, TokenExchangeIdp.WorkloadSecret)], [],
            [new TestIdpWorkloadResource(PartnerGateAudience, 300)]);
        var ours = await sqlite.CreateAsync(idp.Idp.Issuer, [TokenExchangeIdp.Workload]);
        var theirs = await sqlite.CreateAsync(otherIdp.Issuer, [TokenExchangeIdp.Workload]);
        var http = sqlite.CreateClient();

        // The same workload name at another organisation's IdP: a valid token there, nothing here.
        var foreignToken = await otherIdp.WorkloadTokenAsync(TokenExchangeIdp.Workload, TokenExchangeIdp.WorkloadSecret, PartnerGateAudience);
        using var refused = await http.ExchangeAsync(ours.ClientId, foreignToken);
        using var atHome = await http.ExchangeAsync(theirs.ClientId, foreignToken);

        await AssertRefusedAsync(refused, "invalid_grant", "not issued by the identity provider registered for your organisation");
        Assert.Equal(System.Net.HttpStatusCode.OK, atHome.StatusCode);
        Assert.Equal(0, await CountAsync(sqlite, "token.exchanged", ours.ClientId));
    }
}
