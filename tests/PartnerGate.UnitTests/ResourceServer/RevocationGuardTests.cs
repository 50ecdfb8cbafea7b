using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PartnerGate.ResourceServer;
using PartnerGate.ResourceServer.RevocationFeed;

namespace PartnerGate.UnitTests.ResourceServer;

/// <summary>
/// The per-request check as JwtBearer runs it (through the scheme's events, resolved from the library's own
/// registration): blocked subjects, the silence bound on a fake clock, and the two silence modes.
/// </summary>
public sealed class RevocationGuardTests
{
    private const string Authority = "http://127.0.0.1:5080";
    private static readonly Guid PartnerId = Guid.NewGuid();
    private static readonly Guid GrantId = Guid.NewGuid();

    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task BeforeTheFirstSync_TokensAreRefused_AsFeedUnavailable()
    {
        using var world = World();

        var context = await world.ValidateAsync();

        Assert.Same(RevocationRefusal.FeedUnavailable, context.Result?.Failure);
    }

    [Fact]
    public async Task Synced_AcceptsWithinTheSilenceBound_AndFailsClosedOnceItPasses()
    {
        using var world = World();
        world.Monitor.MarkSynced(10, afterSnapshot: true);

        clock.Advance(TimeSpan.FromSeconds(5));
        var atTheBound = await world.ValidateAsync();
        clock.Advance(TimeSpan.FromTicks(1));
        var pastTheBound = await world.ValidateAsync();
        world.Monitor.Heard();
        var heardAgain = await world.ValidateAsync();

        Assert.Null(atTheBound.Result);
        Assert.Same(RevocationRefusal.FeedUnavailable, pastTheBound.Result?.Failure);
        Assert.Null(heardAgain.Result);
    }

    [Fact]
    public async Task RevokedGrant_DisabledClient_AndSuspendedPartner_AreRefused()
    {
        using var world = World();
        world.Monitor.MarkSynced(10, afterSnapshot: true);

        world.Monitor.State.Apply(FeedEvent.FromPayload(TestSets.Json(TestSets.GrantRevoked(GrantId, PartnerId, 11, clock.GetUtcNow().AddHours(1))))!);
        var grant = await world.ValidateAsync();
        world.Monitor.State.Apply(FeedEvent.FromPayload(TestSets.Json(TestSets.GrantResumed(GrantId, PartnerId, 12, clock.GetUtcNow().AddHours(1))))!);
        world.Monitor.State.Apply(FeedEvent.FromPayload(TestSets.Json(TestSets.ClientStatus("erp", PartnerId, 13, "disabled")))!);
        var client = await world.ValidateAsync();
        world.Monitor.State.Apply(FeedEvent.FromPayload(TestSets.Json(TestSets.ClientStatus("erp", PartnerId, 14, "active")))!);
        world.Monitor.State.Apply(FeedEvent.FromPayload(TestSets.Json(TestSets.PartnerStatus(PartnerId, 15, "suspended")))!);
        var partner = await world.ValidateAsync();
        world.Monitor.State.Apply(FeedEvent.FromPayload(TestSets.Json(TestSets.PartnerStatus(PartnerId, 16, "active")))!);
        var reinstated = await world.ValidateAsync();

        Assert.Same(RevocationRefusal.GrantRevoked, grant.Result?.Failure);
        Assert.Same(RevocationRefusal.ClientDisabled, client.Result?.Failure);
        Assert.Same(RevocationRefusal.PartnerSuspended, partner.Result?.Failure);
        Assert.Null(reinstated.Result);
    }

    [Fact]
    public async Task ARevokedGrant_IsRefusedEvenWhileTheFeedIsSilent_WithoutAskingIntrospection()
    {
        using var world = World(o => o.RevocationFeed.WhenSilent = FeedSilenceMode.Introspection);
        world.Monitor.State.Apply(FeedEvent.FromPayload(TestSets.Json(TestSets.GrantRevoked(GrantId, PartnerId, 11, clock.GetUtcNow().AddHours(1))))!);

        var context = await world.ValidateAsync();

        Assert.Same(RevocationRefusal.GrantRevoked, context.Result?.Failure);
        Assert.Equal(0, world.Portal.Introspections);
    }

    [Fact]
    public async Task Introspection_WhenSilent_AcceptsActive_CachesItOneSecond_AndRefusesInactive()
    {
        using var world = World(o => o.RevocationFeed.WhenSilent = FeedSilenceMode.Introspection);
        var token = world.Token();

        var first = await world.ValidateAsync(token);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        var cached = await world.ValidateAsync(token);
        var callsWithinTheSecond = world.Portal.Introspections;
        world.Portal.Active = false;
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var afterRevocation = await world.ValidateAsync(token);

        Assert.Null(first.Result);
        Assert.Null(cached.Result);
        Assert.Equal(1, callsWithinTheSecond);
        Assert.Same(RevocationRefusal.Inactive, afterRevocation.Result?.Failure);
        Assert.Equal(2, world.Portal.Introspections);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("supply-network-api:demo-secret")), world.Portal.LastAuthorization);
    }

    [Fact]
    public async Task Introspection_NeverReusesAnAnswerPastTheTokensExp()
    {
        using var world = World(o => o.RevocationFeed.WhenSilent = FeedSilenceMode.Introspection);
        var token = world.Token(expires: clock.GetUtcNow().AddMilliseconds(300));

        await world.ValidateAsync(token);
        clock.Advance(TimeSpan.FromMilliseconds(300));
        await world.ValidateAsync(token);

        Assert.Equal(2, world.Portal.Introspections);
    }

    [Fact]
    public async Task Introspection_Failing_RefusesTheToken()
    {
        using var world = World(o => o.RevocationFeed.WhenSilent = FeedSilenceMode.Introspection);
        world.Portal.IntrospectionStatus = HttpStatusCode.ServiceUnavailable;

        var context = await world.ValidateAsync();

        Assert.Same(RevocationRefusal.IntrospectionUnavailable, context.Result?.Failure);
    }

    [Fact]
    public async Task FeedDisabled_FailClosed_ChecksNothing_FeedDisabled_Introspection_AsksEveryTime()
    {
        using var unchecked_ = World(o => o.RevocationFeed.Enabled = false);
        using var introspecting = World(o =>
        {
            o.RevocationFeed.Enabled = false;
            o.RevocationFeed.WhenSilent = FeedSilenceMode.Introspection;
        });
        introspecting.Portal.Active = false;

        var accepted = await unchecked_.ValidateAsync();
        var refused = await introspecting.ValidateAsync();

        Assert.Null(accepted.Result);
        Assert.Same(RevocationRefusal.Inactive, refused.Result?.Failure);
    }

    [Fact]
    public async Task TheApisOwnOnTokenValidated_StillRuns_ForAcceptedTokens_Only()
    {
        var calls = 0;
        using var world = World(configureJwtBearer: o => o.Events.OnTokenValidated = _ =>
        {
            calls++;
            return Task.CompletedTask;
        });

        await world.ValidateAsync();
        world.Monitor.MarkSynced(1, afterSnapshot: true);
        await world.ValidateAsync();

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task EventsType_IsWrapped_AndTheApisEventsResolvedFromServices()
    {
        using var world = World(configureJwtBearer: o => o.EventsType = typeof(CountingEvents), configureServices: s => s.AddSingleton<CountingEvents>());

        Assert.Equal(typeof(RevocationCheckingEvents<CountingEvents>), world.JwtBearer.EventsType);
        var events = (JwtBearerEvents)world.Services.GetRequiredService(world.JwtBearer.EventsType!);
        world.Monitor.MarkSynced(1, afterSnapshot: true);
        await events.TokenValidated(world.Context(world.Token()));

        Assert.Equal(1, world.Services.GetRequiredService<CountingEvents>().Validated);
    }

    [Fact]
    public async Task Refusal_DescribesItselfInTheChallenge()
    {
        using var world = World();
        var context = await world.ValidateAsync();
        var challenge = new JwtBearerChallengeContext(new DefaultHttpContext(), world.Scheme, world.JwtBearer, new AuthenticationProperties())
        {
            AuthenticateFailure = context.Result!.Failure,
            Error = "invalid_token",
        };

        await world.JwtBearer.Events.Challenge(challenge);

        Assert.Contains("revocation feed is unavailable", challenge.ErrorDescription, StringComparison.Ordinal);
    }

    private TestWorld World(
        Action<PartnerGateResourceServerOptions>? configure = null,
        Action<JwtBearerOptions>? configureJwtBearer = null,
        Action<IServiceCollection>? configureServices = null) =>
        new(clock, configure, configureJwtBearer, configureServices);

    public sealed class CountingEvents : JwtBearerEvents
    {
        public int Validated { get; private set; }

        public override Task TokenValidated(TokenValidatedContext context)
        {
            Validated++;
            return Task.CompletedTask;
        }
    }

    private sealed class TestWorld : IDisposable
    {
        private readonly FakeTimeProvider clock;
        private readonly ServiceProvider services;

        public TestWorld(FakeTimeProvider clock, Action<PartnerGateResourceServerOptions>? configure, Action<JwtBearerOptions>? configureJwtBearer,
            Action<IServiceCollection>? configureServices)
        {
            this.clock = clock;
            var collection = new ServiceCollection();
            collection.AddLogging();
            collection.AddSingleton<TimeProvider>(clock);
            collection.AddPartnerGateResourceServer(Authority, "https://supply.acme.example/purchase-orders", o =>
            {
                o.ClientId = "supply-network-api";
                o.ClientSecret = "demo-secret";
                o.BackchannelHttpHandler = Portal;
                configure?.Invoke(o);
            });
            if (configureJwtBearer is not null)
            {
                collection.Configure(PartnerGateResourceServerDefaults.AuthenticationScheme, configureJwtBearer);
            }

            configureServices?.Invoke(collection);
            services = collection.BuildServiceProvider();
            Monitor = services.GetRequiredService<RevocationFeedMonitor>();
            JwtBearer = services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(PartnerGateResourceServerDefaults.AuthenticationScheme);
        }

        public FakePortal Portal { get; } = new();

        public RevocationFeedMonitor Monitor { get; }

        public JwtBearerOptions JwtBearer { get; }

        public IServiceProvider Services => services;

        public AuthenticationScheme Scheme { get; } = new(PartnerGateResourceServerDefaults.AuthenticationScheme, null, typeof(JwtBearerHandler));

        public async Task<TokenValidatedContext> ValidateAsync(JsonWebToken? token = null)
        {
            var context = Context(token ?? Token());
            await JwtBearer.Events.TokenValidated(context);
            return context;
        }

        public TokenValidatedContext Context(JsonWebToken token) => new(new DefaultHttpContext(), Scheme, JwtBearer)
        {
            SecurityToken = token,
            Principal = new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim("partner_id", PartnerId.ToString()), new Claim("grant_id", GrantId.ToString()), new Claim("client_id", "erp"), new Claim("sub", "erp")],
                PartnerGateResourceServerDefaults.AuthenticationScheme)),
        };

        // Only parsed here (JwtBearer has already validated it in the real pipeline): the guard reads its text and exp.
        public JsonWebToken Token(DateTimeOffset? expires = null) => new(
            Base64UrlEncoder.Encode("{\"alg\":\"ES256\",\"typ\":\"at+jwt\"}") + "." +
            Base64UrlEncoder.Encode(JsonSerializer.Serialize(new { exp = (expires ?? clock.GetUtcNow().AddMinutes(5)).ToUnixTimeSeconds(), jti = Guid.NewGuid() })) + ".c2ln");

        public void Dispose() => services.Dispose();
    }

    /// <summary>The portal's discovery and introspection endpoints, as the backchannel handler sees them.</summary>
    private sealed class FakePortal : HttpMessageHandler
    {
        public bool Active { get; set; } = true;

        public HttpStatusCode IntrospectionStatus { get; set; } = HttpStatusCode.OK;

        public int Introspections { get; private set; }

        public string? LastAuthorization { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            var body = path switch
            {
                "/.well-known/openid-configuration" => JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["issuer"] = Authority + "/",
                    ["jwks_uri"] = Authority + "/.well-known/jwks",
                    ["introspection_endpoint"] = Authority + "/connect/introspect",
                }),
                "/.well-known/jwks" => "{\"keys\":[]}",
                "/connect/introspect" => Introspect(request),
                _ => null,
            };
            var status = path == "/connect/introspect" ? IntrospectionStatus : body is null ? HttpStatusCode.NotFound : HttpStatusCode.OK;
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body ?? "{}", Encoding.UTF8, "application/json") });
        }

        private string Introspect(HttpRequestMessage request)
        {
            Introspections++;
            LastAuthorization = request.Headers.Authorization?.ToString();
            return Active ? "{\"active\":true}" : "{\"active\":false}";
        }
    }
}
