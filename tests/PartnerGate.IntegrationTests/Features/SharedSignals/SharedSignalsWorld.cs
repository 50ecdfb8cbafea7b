using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PartnerGate.Data;
using PartnerGate.Domain.Clients;
using PartnerGate.IntegrationTests.ResourceServer;
using PartnerGate.Web.Features.Clients;
using PartnerGate.Web.Features.Demo;
using PartnerGate.Web.Features.SharedSignals;

namespace PartnerGate.IntegrationTests.Features.SharedSignals;

/// <summary>The portal on loopback Kestrel over the given database; a second node shares the first one's database.</summary>
public sealed class SsfPortal : KestrelPortal
{
    private SsfPortal(DatabaseProvider provider, IDictionary<string, string?>? settings)
        : base(provider, settings)
    {
    }

    public static async Task<SsfPortal> StartAsync(DatabaseProvider provider, IDictionary<string, string?>? settings = null)
    {
        if (provider == DatabaseProvider.PostgreSql)
        {
            Assert.SkipUnless(PostgresAvailable, $"PostgreSQL not configured ({PostgresVariable}).");
        }

        var portal = new SsfPortal(provider, settings);
        await portal.InitializeAsync();
        return portal;
    }

    /// <summary>
    /// Another node of the same deployment: its own process state (broadcaster, signal, live updates), the same
    /// database, and the same deployment settings (Redis and channel prefix when set, feed poll interval, throttle limits).
    /// </summary>
    public Task<SsfPortal> StartSecondNodeAsync()
    {
        var configuration = Services.GetRequiredService<IConfiguration>();
        var shared = new[]
        {
            "ConnectionStrings:PartnerGate", "ConnectionStrings:Redis", "ScaleOut:ChannelPrefix", "SharedSignals:PollMilliseconds",
            "RateLimiting:ClientAuthentication:PermitLimit", "RateLimiting:ClientAuthentication:WindowSeconds",
        };
        return StartAsync(Provider, shared.Where(key => configuration[key] is not null).ToDictionary(key => key, key => configuration[key]));
    }

    /// <summary>An HTTP client that authenticates as the resource server (HTTP Basic).</summary>
    public HttpClient ResourceServerClient(string clientId = DemoDataSeeder.ResourceServerClientId, string secret = DemoDataSeeder.ResourceServerClientSecret)
    {
        var http = CreateHttpClient();
        http.Timeout = Timeout.InfiniteTimeSpan;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        return http;
    }

    /// <summary>Registers another resource server as an administrator would (directly: there is no command for it yet).</summary>
    public async Task<(string ClientId, string Secret)> RegisterResourceServerAsync()
    {
        await using var db = CreateDbContext();
        var clientId = "rs-" + Guid.NewGuid().ToString("N")[..12];
        var secret = "secret-" + Guid.NewGuid().ToString("N");
        var client = ApiClient.RegisterResourceServer(null, clientId, "Test resource server", Services.GetRequiredService<TimeProvider>().GetUtcNow()).Value;
        db.ApiClients.Add(client);
        db.Add(ClientApplications.Create(client, secret, null));
        await db.SaveChangesAsync();
        return (clientId, secret);
    }

    public async Task<JsonObject> CreateStreamAsync(HttpClient http, string method, string? endpointUrl = null, string? authorizationHeader = null)
    {
        var delivery = new JsonObject { ["method"] = method };
        if (endpointUrl is not null)
        {
            delivery["endpoint_url"] = endpointUrl;
        }

        if (authorizationHeader is not null)
        {
            delivery["authorization_header"] = authorizationHeader;
        }

        using var response = await http.PostAsJsonAsync("/ssf/streams", new JsonObject { ["delivery"] = delivery });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body);
        return JsonNode.Parse(body)!.AsObject();
    }

    /// <summary>Verifies a SET as a receiver must: a key of the portal's JWKS, ES256/PS256, typ secevent+jwt, iss, aud.</summary>
    public async Task<JsonWebToken> VerifySetAsync(string token, string audience)
    {
        using var http = CreateHttpClient();
        var discovery = JsonNode.Parse(await http.GetStringAsync("/.well-known/openid-configuration"))!;
        var keys = new JsonWebKeySet(await http.GetStringAsync(discovery["jwks_uri"]!.GetValue<string>()));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = discovery["issuer"]!.GetValue<string>(),
            ValidAudience = audience,
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSsaPssSha256],
            ValidTypes = [SharedSignalsProtocol.SecurityEventTokenType],
            RequireExpirationTime = false,
            ValidateLifetime = false,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        return (JsonWebToken)result.SecurityToken;
    }
}

public sealed record SseMessage(string Event, string? Id, string Data, DateTimeOffset ReceivedAt);

/// <summary>A receiver's end of the SSE channel: reads messages in the background as they arrive.</summary>
public sealed class SseConnection : IAsyncDisposable
{
    private readonly HttpResponseMessage response;
    private readonly CancellationTokenSource stop = new();
    private readonly Channel<SseMessage> messages = Channel.CreateUnbounded<SseMessage>();
    private readonly Task reading;

    private SseConnection(HttpResponseMessage response)
    {
        this.response = response;
        reading = ReadAsync();
    }

    public HttpResponseMessage Response => response;

    public static async Task<SseConnection> OpenAsync(HttpClient http, string streamId, long? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/ssf/streams/{streamId}/sse");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return new SseConnection(response);
    }

    /// <summary>The next message (of <paramref name="eventName"/>, when given), or fails after <paramref name="timeout"/>.</summary>
    public async Task<SseMessage> NextAsync(string? eventName = null, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var message = await messages.Reader.ReadAsync(cancel.Token);
            if (eventName is null || message.Event == eventName)
            {
                return message;
            }
        }
    }

    /// <summary>Everything up to and including the next <c>synced</c>.</summary>
    public async Task<(List<SseMessage> Before, SseMessage Synced)> UntilSyncedAsync()
    {
        var before = new List<SseMessage>();
        while (true)
        {
            var message = await NextAsync();
            if (message.Event == "synced")
            {
                return (before, message);
            }

            before.Add(message);
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            string? eventName = null, id = null;
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    await messages.Writer.WriteAsync(new SseMessage(eventName ?? "message", id, data.ToString(), DateTimeOffset.UtcNow));
                    eventName = id = null;
                    data.Clear();
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    eventName = line["event: ".Length..];
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line["id: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Append(line["data: ".Length..]);
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException)
        {
        }
        finally
        {
            messages.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        response.Dispose();
        await reading;
        stop.Dispose();
    }
}
