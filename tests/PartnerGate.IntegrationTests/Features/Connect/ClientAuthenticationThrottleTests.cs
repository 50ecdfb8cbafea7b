using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Clients;
using PartnerGate.Web.Features.Demo;
using PartnerGate.Web.Infrastructure.Security;
using static PartnerGate.IntegrationTests.Features.Connect.TokenClients;

namespace PartnerGate.IntegrationTests.Features.Connect;

/// <summary>
/// Failed client authentication is throttled per address at the token, introspection and revocation endpoints and the
/// SSF endpoints, over real HTTP on SQLite and PostgreSQL. Each test has its own app (the throttle's state is the app's):
/// a limit of <see cref="Limit"/> failures per <see cref="WindowSeconds"/> s, a fake clock, and the caller's address set
/// per client from a test header. That a refused attempt was never checked is shown by the secret-verification counter
/// the application manager feeds, which must not move.
/// </summary>
public sealed class ClientAuthenticationThrottleTests
{
    private const int Limit = 4;
    private const int WindowSeconds = 60;

    public static TheoryData<DatabaseProvider> Providers => Apps.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Token_AfterTheLimitOfFailures_TheRightSecretFromThatAddressIs429_UnverifiedUntilTheWindowEnds(DatabaseProvider provider)
    {
        await using var world = await ThrottleWorld.StartAsync(provider);
        var client = await world.App.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(2)));
        using var attacker = world.ClientFrom("203.0.113.7");
        using var bystander = world.ClientFrom("198.51.100.9");

        // Correct authentications never count: more of them than the limit, then failures still have their full budget.
        for (var i = 0; i < Limit + 2; i++)
        {
            await AssertTokenAsync(attacker, client);
        }

        // Four kinds of failure, one each, use up the budget of four: a wrong secret (verified: the counter works)...
        var verifiedBefore = world.SecretVerifications;
        await AssertInvalidClientAsync(await attacker.RequestTokenAsync(client.ClientId, "wrong-secret", "orders.read"));
        Assert.True(world.SecretVerifications > verifiedBefore, "a wrong secret is verified while under the limit");

        // ...an unknown client_id, a disabled client with its right secret...
        await AssertInvalidClientAsync(await attacker.RequestTokenAsync("nobody-" + Guid.NewGuid().ToString("N"), "nothing", "orders.read"));
        var disabled = await world.App.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(2)));
        var disabling = await world.App.SendAsync<Result>(new DisableApiClientCommand(disabled.ClientId, "Suspected leak of the secret."), "alice@boltnut.example");
        Assert.True(disabling.IsSuccess, disabling.Error?.Message);
        await AssertInvalidClientAsync(await attacker.RequestTokenAsync(disabled.ClientId, disabled.Secret, "orders.read"));

        // ...and a Basic header that does not parse.
        using (var malformed = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        })
        {
            Assert.True(malformed.Headers.TryAddWithoutValidation("Authorization", "Basic not base64!"));
            using var response = await attacker.SendAsync(malformed);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        var verified = world.SecretVerifications;
        using (var refused = await attacker.RequestTokenAsync(client.ClientId, client.Secret, "orders.read"))
        {
            await AssertThrottledOAuthAsync(refused);
        }

        Assert.Equal(verified, world.SecretVerifications);

        // Another address is not affected, and its correct authentications are verified as usual.
        await AssertTokenAsync(bystander, client);
        Assert.True(world.SecretVerifications > verified, "the other address's secret is verified");

        world.Clock.Advance(TimeSpan.FromSeconds(WindowSeconds - 1));
        using (var stillRefused = await attacker.RequestTokenAsync(client.ClientId, client.Secret, "orders.read"))
        {
            await AssertThrottledOAuthAsync(stillRefused);
        }

        world.Clock.Advance(TimeSpan.FromSeconds(2));
        await AssertTokenAsync(attacker, client);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task IntrospectionAndRevocation_CountFailures_AndRefuseTheThrottledAddress(DatabaseProvider provider)
    {
        await using var world = await ThrottleWorld.StartAsync(provider);
        var client = await world.App.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(2)));
        using var bystander = world.ClientFrom("198.51.100.20");
        var token = await bystander.AccessTokenAsync(client, "orders.read");

        using var introspector = world.ClientFrom("203.0.113.30");
        for (var i = 0; i < Limit; i++)
        {
            await AssertInvalidClientAsync(await introspector.SendAsync(Introspection(token, DemoDataSeeder.ResourceServerClientId, "wrong-" + i)));
        }

        var verified = world.SecretVerifications;
        using (var refused = await introspector.SendAsync(Introspection(token, DemoDataSeeder.ResourceServerClientId, DemoDataSeeder.ResourceServerClientSecret)))
        {
            await AssertThrottledOAuthAsync(refused);
        }

        Assert.Equal(verified, world.SecretVerifications);
        using (var allowed = await bystander.SendAsync(Introspection(token, DemoDataSeeder.ResourceServerClientId, DemoDataSeeder.ResourceServerClientSecret)))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.True(JsonDocument.Parse(await allowed.Content.ReadAsStringAsync()).RootElement.GetProperty("active").GetBoolean());
        }

        using var revoker = world.ClientFrom("2001:db8:7:7::1");
        for (var i = 0; i < Limit; i++)
        {
            await AssertInvalidClientAsync(await revoker.SendAsync(Revocation(token, client.ClientId, "wrong-" + i)));
        }

        // The same /64 is the same budget: a neighbouring address of that network is refused as well.
        using var neighbour = world.ClientFrom("2001:db8:7:7::2");
        verified = world.SecretVerifications;
        using (var refused = await neighbour.SendAsync(Revocation(token, client.ClientId, client.Secret)))
        {
            await AssertThrottledOAuthAsync(refused);
        }

        Assert.Equal(verified, world.SecretVerifications);
        using (var allowed = await bystander.SendAsync(Revocation(token, client.ClientId, client.Secret)))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        world.Clock.Advance(TimeSpan.FromSeconds(WindowSeconds + 1));
        using (var again = await introspector.SendAsync(Introspection(token, DemoDataSeeder.ResourceServerClientId, DemoDataSeeder.ResourceServerClientSecret)))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task SharedSignals_AfterTheLimit_AnswerTheSsfError429_WithoutLookingTheResourceServerUp(DatabaseProvider provider)
    {
        await using var world = await ThrottleWorld.StartAsync(provider);
        using var attacker = world.ClientFrom("203.0.113.50");
        using var bystander = world.ClientFrom("198.51.100.50");

        // No credentials at all tried nothing and cost nothing: not counted.
        for (var i = 0; i < Limit + 2; i++)
        {
            using var anonymous = await attacker.GetAsync("/ssf/streams");
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        for (var i = 0; i < Limit; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/ssf/streams");
            if (i == 0)
            {
                Assert.True(request.Headers.TryAddWithoutValidation("Authorization", "Basic %%%"));
            }
            else
            {
                request.Headers.Authorization = Basic(DemoDataSeeder.ResourceServerClientId, "wrong-" + i);
            }

            using var response = await attacker.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("invalid_client", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("err").GetString());
        }

        var verified = world.SecretVerifications;
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/ssf/streams"))
        {
            request.Headers.Authorization = Basic(DemoDataSeeder.ResourceServerClientId, DemoDataSeeder.ResourceServerClientSecret);
            using var refused = await attacker.SendAsync(request);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            AssertRetryAfter(refused);
            Assert.Equal("application/json", refused.Content.Headers.ContentType!.MediaType);
            var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("temporarily_unavailable", body.GetProperty("err").GetString());
            Assert.False(string.IsNullOrEmpty(body.GetProperty("description").GetString()));
            Assert.False(refused.Headers.Contains("Set-Cookie"));
        }

        Assert.Equal(verified, world.SecretVerifications);
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/ssf/streams"))
        {
            request.Headers.Authorization = Basic(DemoDataSeeder.ResourceServerClientId, DemoDataSeeder.ResourceServerClientSecret);
            using var allowed = await bystander.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        world.Clock.Advance(TimeSpan.FromSeconds(WindowSeconds + 1));
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/ssf/streams"))
        {
            request.Headers.Authorization = Basic(DemoDataSeeder.ResourceServerClientId, DemoDataSeeder.ResourceServerClientSecret);
            using var again = await attacker.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }
    }

    [Fact]
    public async Task BehindATrustedProxy_TheForwardedClientAddressIsCounted_AndNobodyElseCanChooseTheAddressTheyAreCountedUnder()
    {
        await using var world = await ThrottleWorld.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            [TrustedProxies.ProxiesKey + ":0"] = "10.0.0.1",
        });
        var client = await world.App.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(2)));
        using var attackerViaProxy = world.ClientFrom("10.0.0.1", forwardedFor: "203.0.113.7");
        using var bystanderViaProxy = world.ClientFrom("10.0.0.1", forwardedFor: "198.51.100.9");

        // One client behind the proxy uses up its budget; it is throttled, the proxy (and so its other clients) is not.
        for (var i = 0; i < Limit; i++)
        {
            await AssertInvalidClientAsync(await attackerViaProxy.RequestTokenAsync(client.ClientId, "wrong-secret", "orders.read"));
        }

        using (var refused = await attackerViaProxy.RequestTokenAsync(client.ClientId, client.Secret, "orders.read"))
        {
            await AssertThrottledOAuthAsync(refused);
        }

        await AssertTokenAsync(bystanderViaProxy, client);

        // A sender that is not a listed proxy can't pick its address with X-Forwarded-For: it is counted under its own
        // connection address (throttled after the limit), and the address it named is not touched.
        using var spoofer = world.ClientFrom("192.0.2.50", forwardedFor: "198.51.100.9");
        for (var i = 0; i < Limit; i++)
        {
            await AssertInvalidClientAsync(await spoofer.RequestTokenAsync(client.ClientId, "wrong-secret", "orders.read"));
        }

        using (var refused = await spoofer.RequestTokenAsync(client.ClientId, client.Secret, "orders.read"))
        {
            await AssertThrottledOAuthAsync(refused);
        }

        await AssertTokenAsync(bystanderViaProxy, client);
    }

    [Theory]
    [InlineData(TrustedProxies.ProxiesKey, "10.0.0.300")]
    [InlineData(TrustedProxies.NetworksKey, "10.0.0.0/33")]
    public async Task AnInvalidTrustedProxy_StopsTheAppAtStartUp(string key, string value)
    {
        await using var app = new PartnerGateAppFactory(DatabaseProvider.Sqlite, extraSettings: new Dictionary<string, string?>
        {
            [key + ":0"] = value,
        });
        var failure = Assert.ThrowsAny<Exception>(() => app.Server);
        Assert.Contains(key + ":0", failure.ToString(), StringComparison.Ordinal);
        Assert.Contains(value, failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInvalidLimit_StopsTheAppAtStartUp()
    {
        await using var app = new PartnerGateAppFactory(DatabaseProvider.Sqlite, extraSettings: new Dictionary<string, string?>
        {
            ["RateLimiting:ClientAuthentication:PermitLimit"] = "0",
        });
        var failure = Assert.ThrowsAny<Exception>(() => app.Server);
        Assert.Contains("PermitLimit", failure.ToString(), StringComparison.Ordinal);
    }

    private static async Task AssertTokenAsync(HttpClient http, TestClient client)
    {
        using var response = await http.RequestTokenAsync(client.ClientId, client.Secret, "orders.read");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static async Task AssertInvalidClientAsync(HttpResponseMessage response)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("invalid_client", (await response.OAuthErrorAsync()).Error);
        }
    }

    private static async Task AssertThrottledOAuthAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        AssertRetryAfter(response);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var (error, description) = await response.OAuthErrorAsync();
        Assert.Equal("temporarily_unavailable", error);
        Assert.Contains("Retry-After", description, StringComparison.Ordinal);
        Assert.Empty(response.Headers.WwwAuthenticate);
    }

    private static void AssertRetryAfter(HttpResponseMessage response)
    {
        var seconds = response.Headers.RetryAfter?.Delta?.TotalSeconds;
        Assert.NotNull(seconds);
        Assert.InRange(seconds.Value, 1, WindowSeconds);
    }

    private static AuthenticationHeaderValue Basic(string clientId, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));

    private static HttpRequestMessage Introspection(string token, string clientId, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/introspect") { Content = new FormUrlEncodedContent([new("token", token)]) };
        request.Headers.Authorization = Basic(clientId, secret);
        return request;
    }

    private static HttpRequestMessage Revocation(string token, string clientId, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/revoke") { Content = new FormUrlEncodedContent([new("token", token)]) };
        request.Headers.Authorization = Basic(clientId, secret);
        return request;
    }

    /// <summary>An app of its own with a low limit, a fake clock, per-client addresses and a count of secret verifications.</summary>
    private sealed class ThrottleWorld : IAsyncDisposable
    {
        private const string AddressHeader = "X-Test-Remote-Address";
        private readonly MeterListener listener = new();
        private long secretVerifications;

        private ThrottleWorld(DatabaseProvider provider, IReadOnlyDictionary<string, string?>? settings)
        {
            var extraSettings = new Dictionary<string, string?>
            {
                ["RateLimiting:ClientAuthentication:PermitLimit"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["RateLimiting:ClientAuthentication:WindowSeconds"] = WindowSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                extraSettings[key] = value;
            }

            App = new PartnerGateAppFactory(
                provider,
                extraSettings: extraSettings,
                configureServices: services =>
                {
                    services.AddSingleton<TimeProvider>(Clock);
                    services.AddSingleton<IStartupFilter, RemoteAddressFromHeader>();
                });
        }

        public PartnerGateAppFactory App { get; }

        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        public long SecretVerifications => Interlocked.Read(ref secretVerifications);

        public static async Task<ThrottleWorld> StartAsync(DatabaseProvider provider, IReadOnlyDictionary<string, string?>? settings = null)
        {
            if (provider == DatabaseProvider.PostgreSql)
            {
                Assert.SkipUnless(PartnerGateAppFactory.PostgresAvailable, $"PostgreSQL not configured ({PartnerGateAppFactory.PostgresVariable}).");
            }

            var world = new ThrottleWorld(provider, settings);
            await world.App.InitializeAsync();
            var meterFactory = world.App.Services.GetRequiredService<IMeterFactory>();
            world.listener.InstrumentPublished = (instrument, listener) =>
            {
                // This app's meter only: other apps of the test run verify secrets at the same time.
                if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Meter.Name == ClientAuthenticationMetrics.MeterName
                    && instrument.Name == "partnergate.client_authentication.secret_verifications")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            world.listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref world.secretVerifications, value));
            world.listener.Start();
            return world;
        }

        public HttpClient ClientFrom(string address, string? forwardedFor = null)
        {
            var http = App.CreateClient();
            http.DefaultRequestHeaders.Add(AddressHeader, address);
            if (forwardedFor is not null)
            {
                http.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
            }

            return http;
        }

        public async ValueTask DisposeAsync()
        {
            listener.Dispose();
            await App.DisposeAsync();
        }

        /// <summary>Sets the connection's remote address from the test header, as a real connection would have it.</summary>
        private sealed class RemoteAddressFromHeader : IStartupFilter
        {
            public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
            {
                app.Use((context, nextMiddleware) =>
                {
                    if (context.Request.Headers.TryGetValue(AddressHeader, out var value))
                    {
                        context.Connection.RemoteIpAddress = IPAddress.Parse(value.ToString());
                    }

                    return nextMiddleware(context);
                });
                next(app);
            };
        }
    }
}
