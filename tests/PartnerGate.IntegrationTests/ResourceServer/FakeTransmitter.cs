using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace PartnerGate.IntegrationTests.ResourceServer;

/// <summary>
/// A stand-in portal on a loopback port: discovery and a JWKS with its key, a transmitter configuration, one SSE
/// stream serving the SETs a test hands it (signed by whatever key the test chooses), then synced and heartbeats.
/// It lets a test put into the stream what the real portal never would, such as a SET signed by a foreign key.
/// </summary>
public sealed class FakeTransmitter : IAsyncDisposable
{
    public const string StreamAudience = "supply-network-api";
    public const string KeyId = "fake-portal-key";

    private readonly WebApplication app;
    private readonly ECDsa portalKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly TaskCompletionSource secondConnection = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int connections;

    private FakeTransmitter(WebApplication app) => this.app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public string Authority => BaseAddress.GetLeftPart(UriPartial.Authority);

    public string Issuer => Authority + "/";

    /// <summary>What each SSE connection sends before <c>synced</c>: SET texts with their ids.</summary>
    public List<(long Id, string Set)> Sets { get; } = [];

    public int Connections => Volatile.Read(ref connections);

    /// <summary>Completes when the receiver has connected a second time (it dropped the first).</summary>
    public Task SecondConnection => secondConnection.Task;

    public static async Task<FakeTransmitter> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var transmitter = new FakeTransmitter(app);
        transmitter.Map();
        await app.StartAsync();
        transmitter.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return transmitter;
    }

    /// <summary>An access token as the portal would issue it, signed with the key its JWKS publishes.</summary>
    public string AccessToken(string audience, Guid partnerId, Guid grantId, string clientId) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            TokenType = "at+jwt",
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(portalKey) { KeyId = KeyId }, SecurityAlgorithms.EcdsaSha256),
            Subject = new ClaimsIdentity([new Claim("sub", clientId), new Claim("client_id", clientId), new Claim("partner_id", partnerId.ToString()),
                new Claim("grant_id", grantId.ToString()), new Claim("scope", "orders.read")]),
        });

    /// <summary>A session-revoked SET for <paramref name="grantId"/>, signed by <paramref name="key"/> (the portal's key when null) under the portal's kid.</summary>
    public string GrantRevokedSet(Guid grantId, Guid partnerId, long sequence, ECDsa? key = null)
    {
        var payload = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["aud"] = StreamAudience,
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["jti"] = Guid.NewGuid().ToString(),
            ["pg_seq"] = sequence,
            ["sub_id"] = new
            {
                format = "complex",
                session = new { format = "opaque", id = grantId.ToString() },
                tenant = new { format = "opaque", id = partnerId.ToString() },
            },
            ["events"] = new Dictionary<string, object>
            {
                ["https://schemas.openid.net/secevent/caep/event-type/session-revoked"] = new Dictionary<string, object>
                {
                    ["event_timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                    ["initiating_entity"] = "admin",
                    ["grant_status"] = "revoked",
                    ["grant_not_after"] = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
                },
            },
        };
        var signingInput = Base64UrlEncoder.Encode(JsonSerializer.Serialize(new { alg = "ES256", kid = KeyId, typ = "secevent+jwt" }))
            + "." + Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload));
        var signature = (key ?? portalKey).SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    private void Map()
    {
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, string>
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = Authority + "/jwks",
            ["introspection_endpoint"] = Authority + "/connect/introspect",
        }));
        app.MapGet("/jwks", () =>
        {
            var parameters = portalKey.ExportParameters(includePrivateParameters: false);
            return Results.Json(new
            {
                keys = new[]
                {
                    new { kty = "EC", crv = "P-256", use = "sig", alg = "ES256", kid = KeyId, x = Base64UrlEncoder.Encode(parameters.Q.X), y = Base64UrlEncoder.Encode(parameters.Q.Y) },
                },
            });
        });
        app.MapGet("/.well-known/ssf-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["spec_version"] = "1_0",
            ["issuer"] = Issuer,
            ["jwks_uri"] = Authority + "/jwks",
            ["delivery_methods_supported"] = new[] { "urn:partnergate:ssf:delivery:sse" },
            ["configuration_endpoint"] = Authority + "/ssf/streams",
        }));
        app.MapGet("/ssf/streams", () => Results.Json(new[]
        {
            new { stream_id = "s1", aud = StreamAudience, delivery = new { method = "urn:partnergate:ssf:delivery:sse", endpoint_url = Authority + "/ssf/streams/s1/sse" } },
        }));
        app.MapGet("/ssf/streams/s1/sse", async (HttpContext context) =>
        {
            if (Interlocked.Increment(ref connections) >= 2)
            {
                secondConnection.TrySetResult();
            }

            // Ends with the receiver or with this host, so stopping it never waits for the shutdown timeout.
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, app.Lifetime.ApplicationStopping);
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-store";
            try
            {
                var cursor = 0L;
                foreach (var (id, set) in Sets)
                {
                    await context.Response.WriteAsync($"event: set\nid: {id}\ndata: {set}\n\n", ended.Token);
                    cursor = Math.Max(cursor, id);
                }

                await context.Response.WriteAsync($"event: synced\ndata: {{\"cursor\":{cursor}}}\n\n", ended.Token);
                await context.Response.Body.FlushAsync(ended.Token);
                while (!ended.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), ended.Token);
                    await context.Response.WriteAsync($"event: heartbeat\ndata: {{\"cursor\":{cursor},\"time\":\"{DateTimeOffset.UtcNow:O}\"}}\n\n", ended.Token);
                    await context.Response.Body.FlushAsync(ended.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // The receiver hung up, or this host is stopping.
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        portalKey.Dispose();
    }
}
