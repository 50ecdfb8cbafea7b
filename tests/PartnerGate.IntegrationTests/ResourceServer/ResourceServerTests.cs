using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using PartnerGate.IntegrationTests.Features.Connect;
using static PartnerGate.IntegrationTests.Features.Connect.TokenClients;

namespace PartnerGate.IntegrationTests.ResourceServer;

/// <summary>
/// A manufacturer API built with the library alone, trusting the real portal over loopback HTTP: the tokens are
/// the portal's own, the keys come from its published JWKS.
/// </summary>
public sealed class ResourceServerTests(KestrelPortal portal) : IClassFixture<KestrelPortal>, IAsyncLifetime
{
    private const string Inventory = "https://supply.acme.example/inventory";

    private TestApiHost api = null!;

    public async ValueTask InitializeAsync() => api = await TestApiHost.StartAsync(portal.Authority, PurchaseOrders);

    public async ValueTask DisposeAsync() => await api.DisposeAsync();

    [Fact]
    public async Task PortalToken_IsAccepted_AndTheCallersPartnerAndGrantSurface()
    {
        var client = await portal.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        var token = await TokenAsync(client, "orders.read");

        using var response = await api.SendAsync(HttpMethod.Get, TestApiHost.OrdersPath, token);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var caller = JsonDocument.Parse(body).RootElement;
        Assert.Equal(client.PartnerId, caller.GetProperty("partnerId").GetGuid());
        Assert.Equal(client.GrantIds[0], caller.GetProperty("grantId").GetGuid());
        Assert.Equal(client.ClientId, caller.GetProperty("clientId").GetString());
        Assert.Equal(client.ClientId, caller.GetProperty("subject").GetString());
        Assert.Equal(["orders.read"], caller.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task MissingScope_Is403_WithAnInsufficientScopeChallengeNamingTheScopes()
    {
        var client = await portal.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        var token = await TokenAsync(client, "orders.read");

        using var response = await api.SendAsync(HttpMethod.Post, TestApiHost.AcknowledgePath, token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"insufficient_scope\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains("scope=\"orders.read orders.acknowledge\"", challenge.Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamedScopePolicy_RefusesATokenWithoutItsScope()
    {
        var token = await ValidTokenAsync();

        using var response = await api.SendAsync(HttpMethod.Get, TestApiHost.ForecastsPath, token);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("scope=\"forecasts.read\"", Assert.Single(response.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointWithoutAuthorizationMetadata_StillNeedsAValidToken_UnlessMarkedAnonymous()
    {
        var token = await ValidTokenAsync();

        using var anonymous = await api.SendAsync(HttpMethod.Get, TestApiHost.UnmarkedPath, token: null);
        using var withToken = await api.SendAsync(HttpMethod.Get, TestApiHost.UnmarkedPath, token);
        using var health = await api.SendAsync(HttpMethod.Get, TestApiHost.HealthPath, token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, withToken.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, health.StatusCode);
    }

    [Fact]
    public async Task TokenWithAllScopes_PassesAMultiScopeEndpoint()
    {
        var client = await portal.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read", "orders.acknowledge"], TimeSpan.FromDays(1)));
        var token = await TokenAsync(client, "orders.read orders.acknowledge");

        using var response = await api.SendAsync(HttpMethod.Post, TestApiHost.AcknowledgePath, token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task TokenForAnotherResource_Is401()
    {
        var client = await portal.CreateServiceClientAsync(BoltNut, ("inventory", ["inventory.read"], TimeSpan.FromDays(1)));
        var token = await TokenAsync(client, "inventory.read");
        Assert.Equal([Inventory], Read(token).Audiences);

        await AssertInvalidTokenAsync(token);
    }

    [Fact]
    public async Task NoToken_Is401_WithABareBearerChallenge()
    {
        using var response = await api.SendAsync(HttpMethod.Get, TestApiHost.OrdersPath, token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Null(challenge.Parameter);
    }

    [Fact]
    public async Task UnsignedAlgNoneToken_Is401()
    {
        var token = await ValidTokenAsync();
        var parts = token.Split('.');
        var header = Base64UrlEncoder.Encode(JsonSerializer.Serialize(new { alg = "none", typ = "at+jwt", kid = Read(token).Kid }));

        await AssertInvalidTokenAsync($"{header}.{parts[1]}.");
    }

    [Fact]
    public async Task ForgedToken_SignedWithAKeyNotInTheJwksUnderTheSameKid_Is401()
    {
        var token = await ValidTokenAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var forged = Resign(token, new { alg = "ES256", typ = "at+jwt", kid = Read(token).Kid },
            data => key.SignData(data, HashAlgorithmName.SHA256));

        await AssertInvalidTokenAsync(forged);
    }

    [Fact]
    public async Task Hs256Token_Is401()
    {
        var token = await ValidTokenAsync();
        var secret = RandomNumberGenerator.GetBytes(32);

        var hs256 = Resign(token, new { alg = "HS256", typ = "at+jwt", kid = Read(token).Kid }, data => HMACSHA256.HashData(secret, data));

        await AssertInvalidTokenAsync(hs256);
    }

    [Fact]
    public async Task TamperedPayload_Is401()
    {
        var token = await ValidTokenAsync();
        var parts = token.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.Decode(parts[1]))!;
        payload["partner_id"] = JsonSerializer.SerializeToElement(Guid.NewGuid().ToString());

        await AssertInvalidTokenAsync($"{parts[0]}.{Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload))}.{parts[2]}");
    }

    [Fact]
    public async Task ExpiredToken_IsAcceptedWithinThe30SecondSkew_ThenRefused()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // The clock jumps minutes ahead, and the feed's silence is measured by it too: with the feed on, every jump
        // would look like minutes of silence. This test is about exp alone.
        await using var timedApi = await TestApiHost.StartAsync(portal.Authority, PurchaseOrders, clock, o => o.RevocationFeed.Enabled = false);
        var token = await ValidTokenAsync();
        var expires = new DateTimeOffset(Read(token).ValidTo, TimeSpan.Zero);

        using var fresh = await timedApi.SendAsync(HttpMethod.Get, TestApiHost.OrdersPath, token);
        clock.SetUtcNow(expires + TimeSpan.FromSeconds(29));
        using var withinSkew = await timedApi.SendAsync(HttpMethod.Get, TestApiHost.OrdersPath, token);
        clock.SetUtcNow(expires + TimeSpan.FromSeconds(31));
        using var expired = await timedApi.SendAsync(HttpMethod.Get, TestApiHost.OrdersPath, token);

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withinSkew.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("error=\"invalid_token\"", Assert.Single(expired.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
    }

    private async Task<string> ValidTokenAsync()
    {
        var client = await portal.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        return await TokenAsync(client, "orders.read");
    }

    private async Task<string> TokenAsync(TestClient client, string scope)
    {
        using var http = portal.CreateHttpClient();
        return await http.AccessTokenAsync(client, scope);
    }

    private async Task AssertInvalidTokenAsync(string token)
    {
        using var response = await api.SendAsync(HttpMethod.Get, TestApiHost.OrdersPath, token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
    }

    // The portal's payload under a header and signature of the attacker's choosing.
    private static string Resign(string token, object header, Func<byte[], byte[]> sign)
    {
        var signingInput = Base64UrlEncoder.Encode(JsonSerializer.Serialize(header)) + "." + token.Split('.')[1];
        return signingInput + "." + Base64UrlEncoder.Encode(sign(Encoding.ASCII.GetBytes(signingInput)));
    }
}
