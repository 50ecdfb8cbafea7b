using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Features.AccessRequests;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Features.Clients;

namespace PartnerGate.IntegrationTests.Features.Clients;

/// <summary>Short-hands for registering clients through the real pipeline and calling the real token endpoint.</summary>
internal static class ClientWorkflow
{
    public const string Alice = "alice@boltnut.example";
    public const string Bob = "bob@boltnut.example";
    public const string Carol = "carol@fastfreight.example";
    public const string Admin = "admin@acme.example";
    public const string FastFreightClient = "fastfreight-tms";

    public static string NewClientId() => "t" + Guid.NewGuid().ToString("N")[..15];

    public static Task<Result<ClientCredentialIssued>> RegisterAsync(this PartnerGateAppFactory app, string asEmail, string clientId,
        ClientAuthenticationMethod method = ClientAuthenticationMethod.ClientSecret, string? publicKey = null,
        ApiClientKind kind = ApiClientKind.Service, IReadOnlyList<string>? redirectUris = null) =>
        app.SendAsync<Result<ClientCredentialIssued>>(
            new RegisterApiClientCommand(clientId, "Test client " + clientId, kind, method, redirectUris ?? [], publicKey), asEmail);

    /// <summary>Registers a BoltNut secret client and returns its one-time secret.</summary>
    public static async Task<string> RegisteredSecretClientAsync(this PartnerGateAppFactory app, string clientId)
    {
        var registered = await app.RegisterAsync(Alice, clientId);
        Assert.True(registered.IsSuccess, registered.Error?.Message);
        return registered.Value.Secret!;
    }

    /// <summary>An auto-approved 2-hour grant on demand-forecast (Low sensitivity) for the client, requested by alice.</summary>
    public static async Task<Guid> GrantForecastAsync(this PartnerGateAppFactory app, string clientId)
    {
        var outcome = await app.SendAsync<Result<RequestAccessOutcome>>(new RequestAccessCommand(
            await app.ResourceIdAsync("demand-forecast"), ["forecast.read"], null, TimeSpan.FromHours(2), Workflow.Justification, null, clientId), Alice);
        Assert.True(outcome.IsSuccess, outcome.Error?.Message);
        return outcome.Value.GrantId!.Value;
    }

    public static Task<HttpResponseMessage> SecretTokenAsync(this PartnerGateAppFactory app, string clientId, string secret, string scope = "forecast.read") =>
        app.CreateClient().PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = scope,
        }));

    /// <summary>
    /// Client assertion forms. OpenIddict 7 accepts draft-ietf-oauth-rfc7523bis (<c>typ</c>
    /// client-authentication+jwt, <c>aud</c> = the issuer); the form older client libraries send
    /// (<c>typ</c> JWT or none, <c>aud</c> = the token endpoint) is refused as invalid_client (ID2089).
    /// </summary>
    public enum AssertionForm
    {
        Rfc7523bis,
        GenericJwt,
    }

    public static Task<HttpResponseMessage> AssertionTokenAsync(this PartnerGateAppFactory app, string clientId, ECDsa key,
        string scope = "forecast.read", AssertionForm form = AssertionForm.Rfc7523bis)
    {
        var http = app.CreateClient();
        var (type, audience) = form == AssertionForm.Rfc7523bis
            ? ("client-authentication+jwt", http.BaseAddress!.AbsoluteUri)
            : ("JWT", new Uri(http.BaseAddress!, "/connect/token").AbsoluteUri);
        return http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = ClientAssertion(clientId, audience, type, key),
            ["scope"] = scope,
        }));
    }

    /// <summary>An RFC 7523 client assertion built by hand: ES256 over header.claims, IEEE P1363 signature.</summary>
    public static string ClientAssertion(string clientId, string audience, string type, ECDsa key)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new Dictionary<string, object> { ["alg"] = "ES256", ["typ"] = type };
        var claims = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["iss"] = clientId, ["sub"] = clientId, ["aud"] = audience, ["jti"] = Guid.NewGuid().ToString("N"), ["iat"] = now, ["exp"] = now + 120,
        });
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header))) + "." + Base64Url(Encoding.UTF8.GetBytes(claims));
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url(signature);
    }

    public static async Task AssertOAuthErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(error, JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
    }

    public static async Task AssertTokenIssuedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected a token, got {(int)response.StatusCode}: {body}");
        Assert.False(string.IsNullOrEmpty((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()));
    }

    public static async Task<(ApiClient? Client, OpenIddictEntityFrameworkCoreApplication? Application)> RowsAsync(this PartnerGateAppFactory app, string clientId)
    {
        await using var db = app.CreateDbContext();
        return (await db.ApiClients.AsNoTracking().SingleOrDefaultAsync(c => c.ClientId == clientId),
            await db.Set<OpenIddictEntityFrameworkCoreApplication>().AsNoTracking().SingleOrDefaultAsync(a => a.ClientId == clientId));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
