using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using static PartnerGate.IntegrationTests.Features.Connect.TokenClients;
using static PartnerGate.IntegrationTests.Features.Connect.TokenExchangeWorld;

namespace PartnerGate.IntegrationTests.Features.Connect;

/// <summary>
/// Workload federation (RFC 8693) over real HTTP against the independent IdP process: what is issued, and every
/// refusal (invalid_grant, invalid_scope, invalid_request), on SQLite and PostgreSQL.
/// </summary>
public sealed class TokenExchangeTests(SqliteApp sqlite, PostgreSqlApp postgreSql, TokenExchangeIdp idp) : IClassFixture<TokenExchangeIdp>
{
    private readonly Apps apps = new(sqlite, postgreSql);

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Exchange_WorkloadTokenOfThePartnersIdp_IssuesGrantBoundTokenThatActsForTheWorkload(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateAsync(idp.Idp.Issuer, [TokenExchangeIdp.Workload], TimeSpan.FromMinutes(3));
        var subjectToken = await idp.WorkloadTokenAsync();
        var http = app.CreateClient();

        using var response = await http.ExchangeAsync(client.ClientId, subjectToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.True(response.IsSuccessStatusCode, body);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal(AccessTokenType, json.GetProperty("issued_token_type").GetString());
        Assert.Equal("Bearer", json.GetProperty("token_type").GetString());
        Assert.False(json.TryGetProperty("refresh_token", out _));

        var accessToken = json.GetProperty("access_token").GetString()!;
        var validated = await ValidateWithJwksAsync(http, accessToken);
        Assert.True(validated.IsValid, validated.Exception?.Message);
        var token = Read(accessToken);
        Assert.Equal("at+jwt", token.Typ);
        Assert.Equal([PurchaseOrders], token.Audiences);
        Assert.Equal("orders.read", token.GetClaim("scope").Value);
        Assert.Equal(client.ClientId, token.Subject);
        Assert.Equal(client.ClientId, token.GetClaim("client_id").Value);
        Assert.Equal(client.PartnerId.ToString(), token.GetClaim("partner_id").Value);
        Assert.Equal(client.GrantIds[0].ToString(), token.GetClaim("grant_id").Value);
        var act = JsonDocument.Parse(token.GetPayloadValue<JsonElement>("act").GetRawText()).RootElement;
        Assert.Equal(TokenExchangeIdp.Workload, act.GetProperty("sub").GetString());
        Assert.Equal(idp.Idp.Issuer, act.GetProperty("iss").GetString());

        await using var db = app.CreateDbContext();
        var grant = await db.Grants.SingleAsync(g => g.Id == client.GrantIds[0], TestContext.Current.CancellationToken);
        Assert.True(token.ValidTo <= grant.NotAfter.UtcDateTime, $"exp {token.ValidTo:O} must not pass the grant's end {grant.NotAfter:O}.");

        var subject = new JsonWebToken(subjectToken);
        var replayKey = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(subject.Issuer + "\n" + subject.Id)));
        Assert.True(await db.ConsumedSubjectTokens.AnyAsync(t => t.Id == replayKey, TestContext.Current.CancellationToken));
        var audit = await db.AuditEvents.AsNoTracking()
            .Where(e => e.Action == "token.exchanged" && e.TargetId == client.ClientId).ToListAsync(TestContext.Current.CancellationToken);
        var details = JsonDocument.Parse(Assert.Single(audit).Details!).RootElement;
        Assert.Equal(TokenExchangeIdp.Workload, details.GetProperty("workloadSubject").GetString());
        Assert.Equal(idp.Idp.Issuer, details.GetProperty("identityProvider").GetString());
        Assert.Equal(replayKey, details.GetProperty("subjectTokenId").GetString());
        Assert.DoesNotContain(subjectToken.Split('.')[1], audit[0].Details!, StringComparison.Ordinal);
        Assert.DoesNotContain(subject.Id, audit[0].Details!, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Exchange_SameSubjectTokenTwice_SecondIsInvalidGrant(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateAsync(idp.Idp.Issuer, [TokenExchangeIdp.Workload]);
        var subjectToken = await idp.WorkloadTokenAsync();
        var http = app.CreateClient();

        using var first = await http.ExchangeAsync(client.ClientId, subjectToken);
        using var second = await http.ExchangeAsync(client.ClientId, subjectToken);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var (error, description) = await second.OAuthErrorAsync();
        Assert.Equal("invalid_grant", error);
        Assert.Contains("already exchanged", description, StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync(app, "token.exchanged", client.ClientId));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Exchange_SameSubjectTokenInParallel_OnlyOneSucceeds(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateAsync(idp.Idp.Issuer, [TokenExchangeIdp.Workload]);
        var subjectToken = await idp.WorkloadTokenAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => app.CreateClient().ExchangeAsync(client.ClientId, subjectToken)));

        try
        {
            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
            foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
            {
                Assert.Equal("invalid_grant", (await refused.OAuthErrorAsync()).Error);
            }

            Assert.Equal(1, await CountAsync(app, "token.exchanged", client.ClientId));
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Exchange_ScopeNoGrantCovers_IsInvalidScopeAndConsumesNothing(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateAsync(idp.Idp.Issuer, [TokenExchangeIdp.Workload]);
        var subjectToken = await idp.WorkloadTokenAsync();
        var http = app.CreateClient();

        using var refused = await http.ExchangeAsync(client.ClientId, subjectToken, "orders.read orders.acknowledge");
        using var retried = await http.ExchangeAsync(client.ClientId, subjectToken, "orders.read");

        var (error, description) = await refused.OAuthErrorAsync();
        Assert.Equal("invalid_scope", error);
        Assert.Contains("orders.acknowledge", description, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Exchange_TokenSignedWithAnotherKeyUnderTheIdpsKid_IsInvalidGrant(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateAsync(idp.Idp.Issuer, [TokenExchangeIdp.Workload]);
        var genuine = new JsonWebToken(await idp.WorkloadTokenAsync());
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = Forge(genuine, new SigningCredentials(new ECDsaSecurityKey(forger) { KeyId = genuine.Kid }, SecurityAlgorithms.EcdsaSha256));

        using var response = await app.CreateClient().ExchangeAsync(client.ClientId, forged);

        await AssertRefusedAsync(response, "invalid_grant", "signature");
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Exchange_UnsignedTokenAlgNone_IsInvalidGrant(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateAsync(idp.Idp.Issuer, [TokenExchangeIdp.Workload]);
        var genuine = new JsonWebToken(await idp.WorkloadTokenAsync());
        var header = Base64UrlEncoder.Encode($$"""{"alg":"none","typ":"at+jwt","kid":"{{genuine.Kid}}"}""");
        var unsigned = $"{header}.{genuine.EncodedPayload}.";

        using var response = await app.CreateClient().ExchangeAsync(client.ClientId, unsigned);

        await AssertRefusedAsync(response, "invalid_grant", "ES256, RS256 or PS256");
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Exchange_TokenForAnotherAudience_IsInvalidGrant(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateAsync(idp.Idp.Issuer, [TokenExchangeIdp.Workload]);

        using var response = await app.CreateClient().ExchangeAsync(client.ClientId, await idp.WorkloadTokenAsync(TokenExchangeIdp.ForeignAudience));

        await AssertRefusedAsync(response, "invalid_grant", PartnerGateAudience);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Exchange_SubjectNotAmongTheClientsWorkloadSubjects_IsInvalidGrant(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateAsync(idp.Idp.Issuer, [TokenExchangeIdp.OtherWorkload]);

        using var response = await app.CreateClient().ExchangeAsync(client.ClientId, await idp.WorkloadTokenAsync());

        await AssertRefusedAsync(response, "invalid_grant", "workload subjects");
        Assert.Equal(0, await CountAsync(app, "token.exchanged", client.ClientId));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public Task Exchange_IdpDisabled_IsInvalidGrant(DatabaseProvider provider) =>
        AssertRefusedAfterAsync(provider, "disabled", async (db, client) =>
        {
            var registered = await db.PartnerIdentityProviders.SingleAsync(p => p.Id == client.ProviderId);
            Assert.True(registered.Disable("Test: the partner's IdP is compromised.", DateTimeOffset.UtcNow).IsSuccess);
        });

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public Task Exchange_PartnerSuspended_IsInvalidGrant(DatabaseProvider provider) =>
        AssertRefusedAfterAsync(provider, "suspended", async (db, client) =>
        {
            var partner = await db.Partners.SingleAsync(p => p.Id == client.PartnerId);
            Assert.True(partner.Suspend("Test: contract ended.").IsSuccess);
        });

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public Task Exchange_ClientDisabled_IsInvalidGrant(DatabaseProvider provider) =>
        AssertRefusedAfterAsync(provider, "disabled", async (db, client) =>
        {
            var row = await db.ApiClients.SingleAsync(c => c.ClientId == client.ClientId);
            var admin = await db.Users.AsNoTracking().SingleAsync(u => u.Email == client.AdminEmail);
            Assert.True(row.Disable(new Actor(admin.Id, admin.DisplayName, client.PartnerId, new HashSet<string> { Roles.PartnerAdmin }),
                "Test: the workload is retired.", DateTimeOffset.UtcNow).IsSuccess);
        });

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Exchange_ConfidentialClientWithWorkloadSubjects_AuthenticatesAndExchanges(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var secret = "secret-" + Guid.NewGuid().ToString("N");
        var client = await app.CreateAsync(idp.Idp.Issuer, [TokenExchangeIdp.Workload], method: Domain.Clients.ClientAuthenticationMethod.ClientSecret, secret: secret);
        var http = app.CreateClient();

        using var wrongSecret = await http.ExchangeAsync(client.ClientId, await idp.WorkloadTokenAsync(), secret: "wrong-secret");
        using var exchanged = await http.ExchangeAsync(client.ClientId, await idp.WorkloadTokenAsync(), secret: secret);

        Assert.Equal("invalid_client", (await wrongSecret.OAuthErrorAsync()).Error);
        Assert.Equal(HttpStatusCode.OK, exchanged.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task WorkloadIdentityClient_AskingForClientCredentials_IsRefused(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateAsync(idp.Idp.Issuer, [TokenExchangeIdp.Workload]);

        using var response = await app.CreateClient().PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = client.ClientId,
            ["scope"] = "orders.read",
        }), TestContext.Current.CancellationToken);

        // A public client without credentials: OpenIddict refuses client credentials before PartnerGate is asked.
        var (error, description) = await response.OAuthErrorAsync();
        Assert.Equal("invalid_request", error);
        Assert.Contains("client_secret", description, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Exchange_MalformedOrRepeatedParameters_AreInvalidRequest(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateAsync(idp.Idp.Issuer, [TokenExchangeIdp.Workload]);
        var token = await idp.WorkloadTokenAsync();
        var http = app.CreateClient();

        using var missingToken = await PostAsync(http, ("grant_type", GrantType), ("client_id", client.ClientId), ("subject_token_type", JwtTokenType), ("scope", "orders.read"));
        using var missingType = await PostAsync(http, ("grant_type", GrantType), ("client_id", client.ClientId), ("subject_token", token), ("scope", "orders.read"));
        using var idToken = await http.ExchangeAsync(client.ClientId, token, subjectTokenType: "urn:ietf:params:oauth:token-type:id_token");
        using var repeated = await PostAsync(http, ("grant_type", GrantType), ("client_id", client.ClientId), ("subject_token", token), ("subject_token", token),
            ("subject_token_type", JwtTokenType), ("scope", "orders.read"));
        using var actor = await http.ExchangeAsync(client.ClientId, token, extra: [("actor_token", token), ("actor_token_type", JwtTokenType)]);
        using var audience = await http.ExchangeAsync(client.ClientId, token, extra: [("audience", PurchaseOrders)]);
        using var garbage = await http.ExchangeAsync(client.ClientId, "not-a-jwt");

        foreach (var response in new[] { missingToken, missingType, idToken, repeated, actor })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var (error, description) = await response.OAuthErrorAsync();
            Assert.Equal("invalid_request", error);
            Assert.False(string.IsNullOrWhiteSpace(description));
        }

        await AssertRefusedAsync(audience, "invalid_target", "resource parameter");
        await AssertRefusedAsync(garbage, "invalid_grant", "not a JWT");

        // None of them consumed the token: it still exchanges once.
        using var exchanged = await http.ExchangeAsync(client.ClientId, token);
        Assert.Equal(HttpStatusCode.OK, exchanged.StatusCode);
    }

    [Fact]
    public async Task Discovery_AdvertisesTokenExchange()
    {
        var discovery = JsonDocument.Parse(await sqlite.CreateClient().GetStringAsync("/.well-known/openid-configuration", TestContext.Current.CancellationToken)).RootElement;

        Assert.Contains(GrantType, discovery.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()));
    }

    /// <summary>A client whose IdP, partner or own state <paramref name="change"/> alters: its valid workload token is refused.</summary>
    private async Task AssertRefusedAfterAsync(DatabaseProvider provider, string descriptionPart, Func<PartnerGateDbContext, ExchangeClient, Task> change)
    {
        var app = apps.For(provider);
        var client = await app.CreateAsync(idp.Idp.Issuer, [TokenExchangeIdp.Workload]);
        await using (var db = app.CreateDbContext())
        {
            await change(db, client);
            await db.SaveChangesAsync();
        }

        using var response = await app.CreateClient().ExchangeAsync(client.ClientId, await idp.WorkloadTokenAsync());

        await AssertRefusedAsync(response, "invalid_grant", descriptionPart);
        Assert.Equal(0, await CountAsync(app, "token.exchanged", client.ClientId));
    }

    private static async Task<TokenValidationResult> ValidateWithJwksAsync(HttpClient http, string accessToken)
    {
        var jwks = new JsonWebKeySet(await http.GetStringAsync("/.well-known/jwks"));
        return await new JsonWebTokenHandler().ValidateTokenAsync(accessToken, new TokenValidationParameters
        {
            ValidIssuer = PartnerGateAudience,
            ValidAudience = PurchaseOrders,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = ["at+jwt"],
        });
    }

    /// <summary>The genuine token's claims under a fresh jti, signed with <paramref name="credentials"/>.</summary>
    internal static string Forge(JsonWebToken genuine, SigningCredentials credentials)
    {
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(genuine.EncodedPayload))!.AsObject();
        payload["jti"] = Guid.NewGuid().ToString("N");
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(payload.ToJsonString(), credentials,
            new Dictionary<string, object> { ["typ"] = "at+jwt" });
    }

    internal static async Task AssertRefusedAsync(HttpResponseMessage response, string expectedError, string descriptionPart)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (error, description) = await response.OAuthErrorAsync();
        Assert.Equal(expectedError, error);
        Assert.Contains(descriptionPart, description, StringComparison.Ordinal);
    }

    internal static async Task<int> CountAsync(PartnerGateAppFactory app, string action, string clientId)
    {
        await using var db = app.CreateDbContext();
        return await db.AuditEvents.CountAsync(e => e.Action == action && e.TargetId == clientId);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, params (string Name, string Value)[] form) =>
        http.PostAsync("/connect/token", new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));
}
