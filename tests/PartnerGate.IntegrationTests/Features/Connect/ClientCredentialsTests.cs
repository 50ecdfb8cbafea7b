using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.EntityFrameworkCore.Models;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Partners;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Demo;
using PartnerGate.Web.Features.Grants;
using static PartnerGate.IntegrationTests.Features.Connect.TokenClients;

namespace PartnerGate.IntegrationTests.Features.Connect;

/// <summary>Grant-bound issuance over real HTTP (invariants 1, 2, 5, 9, 10), on SQLite and PostgreSQL.</summary>
public sealed class ClientCredentialsTests(SqliteApp sqlite, PostgreSqlApp postgreSql)
{
    private readonly Apps apps = new(sqlite, postgreSql);

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Token_ForGrantedScope_IsShortLivedSignedAtJwtForOneAudience(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(2)));
        var http = app.CreateClient();

        var token = Read(await http.AccessTokenAsync(client, "orders.read"));

        Assert.Equal("at+jwt", token.Typ);
        Assert.Equal("ES256", token.Alg);
        Assert.Equal([PurchaseOrders], token.Audiences);
        Assert.Equal("orders.read", token.GetClaim("scope").Value);
        Assert.Equal(client.ClientId, token.Subject);
        Assert.Equal(client.ClientId, token.GetClaim("client_id").Value);
        Assert.Equal(client.PartnerId.ToString(), token.GetClaim("partner_id").Value);
        Assert.Equal(client.GrantIds[0].ToString(), token.GetClaim("grant_id").Value);
        Assert.InRange((token.ValidTo - token.IssuedAt).TotalSeconds, 1, 300);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Token_ForScopeWithoutGrant_IsInvalidScope(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));

        using var response = await app.CreateClient().RequestTokenAsync(client.ClientId, client.Secret, "orders.read orders.acknowledge");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (error, description) = await response.OAuthErrorAsync();
        Assert.Equal("invalid_scope", error);
        Assert.Contains("orders.acknowledge", description, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Token_DemoClientWithoutAnyGrant_IsInvalidScope(DatabaseProvider provider)
    {
        var app = apps.For(provider);

        using var response = await app.CreateClient().RequestTokenAsync(DemoDataSeeder.FreightClientId, DemoDataSeeder.FreightClientSecret, "orders.read");

        Assert.Equal("invalid_scope", (await response.OAuthErrorAsync()).Error);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Token_ForScopesOfTwoResources_IsRefusedEvenWhenBothAreGranted(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateServiceClientAsync(BoltNut,
            ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)), ("inventory", ["inventory.read"], TimeSpan.FromDays(1)));
        var http = app.CreateClient();

        using var response = await http.RequestTokenAsync(client.ClientId, client.Secret, "orders.read inventory.read");

        Assert.Equal("invalid_scope", (await response.OAuthErrorAsync()).Error);
        Assert.Equal(["https://supply.acme.example/inventory"], Read(await http.AccessTokenAsync(client, "inventory.read")).Audiences);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Token_GrantEndingInTwoMinutes_ExpiresNoLaterThanTheGrant(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromMinutes(2)));
        await using var db = app.CreateDbContext();
        var grant = await db.Grants.SingleAsync(g => g.Id == client.GrantIds[0]);

        var token = Read(await app.CreateClient().AccessTokenAsync(client, "orders.read"));

        Assert.True(token.ValidTo <= grant.NotAfter.UtcDateTime, $"exp {token.ValidTo:O} must not pass the grant's end {grant.NotAfter:O}.");
        Assert.InRange((token.ValidTo - token.IssuedAt).TotalSeconds, 60, 121);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Token_ResourceIndicator_MustNameTheResourceOfTheScopes(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        var http = app.CreateClient();

        using var right = await http.RequestTokenAsync(client.ClientId, client.Secret, "orders.read", ("resource", PurchaseOrders));
        using var unknown = await http.RequestTokenAsync(client.ClientId, client.Secret, "orders.read", ("resource", "https://evil.example/api"));
        using var other = await http.RequestTokenAsync(client.ClientId, client.Secret, "orders.read", ("resource", "https://supply.acme.example/inventory"));
        using var two = await http.RequestTokenAsync(client.ClientId, client.Secret, "orders.read",
            ("resource", PurchaseOrders), ("resource", "https://supply.acme.example/inventory"));

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Equal("invalid_target", (await unknown.OAuthErrorAsync()).Error);
        Assert.Equal("invalid_scope", (await other.OAuthErrorAsync()).Error);
        Assert.Equal("invalid_target", (await two.OAuthErrorAsync()).Error);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Token_AnotherPartnersGrantNamingTheClient_NeverCoversIt(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var freight = await app.CreateServiceClientAsync(FastFreight);

        // A BoltNut grant whose subject claims to be FastFreight's client (as a forged or stale row would).
        await using (var db = app.CreateDbContext())
        {
            var boltNut = await db.Partners.SingleAsync(p => p.Name == BoltNut);
            var resource = await db.Resources.SingleAsync(r => r.Name == "purchase-orders");
            var alice = await db.Users.SingleAsync(u => u.Email == "alice@boltnut.example");
            var approver = await db.Users.SingleAsync(u => u.Email == "approver@acme.example");
            var now = DateTimeOffset.UtcNow;
            var request = Domain.AccessRequests.AccessRequest.Submit(boltNut, resource,
                new Actor(alice.Id, alice.DisplayName, boltNut.Id, new HashSet<string> { Roles.PartnerAdmin }),
                Domain.AccessRequests.AccessSubject.ForClient(freight.ClientId), ["orders.read"], now, TimeSpan.FromDays(1),
                "A grant of the wrong partner for this client.", null, now).Value;
            db.AccessRequests.Add(request);
            db.Grants.Add(request.Approve(resource, boltNut, new Actor(approver.Id, approver.DisplayName, null, new HashSet<string> { Roles.Approver }), now).Value!);
            await db.SaveChangesAsync();
        }

        using var response = await app.CreateClient().RequestTokenAsync(freight.ClientId, freight.Secret, "orders.read");

        Assert.Equal("invalid_scope", (await response.OAuthErrorAsync()).Error);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Token_WrongSecret_IsInvalidClientWith401(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));

        using var response = await app.CreateClient().RequestTokenAsync(client.ClientId, client.Secret + "x", "orders.read");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await response.OAuthErrorAsync()).Error);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task DisabledClient_IsInvalidClient_AndItsTokensIntrospectInactiveAtOnce(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        var http = app.CreateClient();
        var token = await http.AccessTokenAsync(client, "orders.read");
        Assert.True((await http.IntrospectAsync(token)).GetProperty("active").GetBoolean());

        await using (var db = app.CreateDbContext())
        {
            var entity = await db.ApiClients.SingleAsync(c => c.ClientId == client.ClientId);
            var admin = await db.Users.SingleAsync(u => u.Email == "admin@acme.example");
            Assert.True(entity.Disable(new Actor(admin.Id, admin.DisplayName, null, new HashSet<string> { Roles.Administrator }), "Compromised", DateTimeOffset.UtcNow).IsSuccess);
            await db.SaveChangesAsync();
        }

        using var response = await http.RequestTokenAsync(client.ClientId, client.Secret, "orders.read");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await response.OAuthErrorAsync()).Error);
        Assert.False((await http.IntrospectAsync(token)).GetProperty("active").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task RevokingTheGrant_MakesIntrospectionInactiveAtOnce_AndRevokesOpenIddictRecords(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        var http = app.CreateClient();
        var token = await http.AccessTokenAsync(client, "orders.read");
        var introspected = await http.IntrospectAsync(token);
        Assert.True(introspected.GetProperty("active").GetBoolean());
        Assert.Equal("orders.read", introspected.GetProperty("scope").GetString());
        Assert.Equal(client.GrantIds[0].ToString(), introspected.GetProperty("grant_id").GetString());

        var revoked = await app.SendAsync<Result>(new RevokeGrantCommand(client.GrantIds[0], "Contract ended"), "approver@acme.example");

        Assert.True(revoked.IsSuccess, revoked.Error?.Message);
        Assert.False((await http.IntrospectAsync(token)).GetProperty("active").GetBoolean());
        await using var db = app.CreateDbContext();
        var authorizationIds = await db.GrantAuthorizations.Where(l => l.GrantId == client.GrantIds[0]).Select(l => l.AuthorizationId).ToListAsync();
        Assert.NotEmpty(authorizationIds);
        Assert.All(await db.Set<OpenIddictEntityFrameworkCoreAuthorization>().Where(a => authorizationIds.Contains(a.Id!)).ToListAsync(),
            a => Assert.Equal("revoked", a.Status));
        Assert.All(await db.Set<OpenIddictEntityFrameworkCoreToken>().Where(t => authorizationIds.Contains(t.Authorization!.Id!)).ToListAsync(),
            t => Assert.Equal("revoked", t.Status));
        using var again = await http.RequestTokenAsync(client.ClientId, client.Secret, "orders.read");
        Assert.Equal("invalid_scope", (await again.OAuthErrorAsync()).Error);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task SuspendedPartner_ClientIsRefused_AndTokensIntrospectInactive(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateServiceClientAsync(FastFreight, ("inventory", ["inventory.read"], TimeSpan.FromDays(1)));
        var http = app.CreateClient();
        var token = await http.AccessTokenAsync(client, "inventory.read");

        // Suspending FastFreight itself would disturb the other tests sharing this app: the client and its
        // grant move to a partner of their own, which is then suspended.
        await using (var db = app.CreateDbContext())
        {
            var partner = Partner.Register("Suspended test partner " + Guid.NewGuid().ToString("N")[..8], [$"{Guid.NewGuid():N}.example"], DateTimeOffset.UtcNow).Value;
            db.Partners.Add(partner);
            await db.SaveChangesAsync();
            await db.ApiClients.Where(c => c.ClientId == client.ClientId).ExecuteUpdateAsync(s => s.SetProperty(c => c.PartnerId, partner.Id));
            await db.Grants.Where(g => client.GrantIds.Contains(g.Id)).ExecuteUpdateAsync(s => s.SetProperty(g => g.PartnerId, partner.Id));
            var token2 = await http.AccessTokenAsync(client, "inventory.read");
            Assert.Equal(partner.Id.ToString(), Read(token2).GetClaim("partner_id").Value);
            token = token2;
            Assert.True(partner.Suspend("Security incident").IsSuccess);
            await db.SaveChangesAsync();
        }

        using var response = await http.RequestTokenAsync(client.ClientId, client.Secret, "inventory.read");
        Assert.Equal("invalid_client", (await response.OAuthErrorAsync()).Error);
        Assert.False((await http.IntrospectAsync(token)).GetProperty("active").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Issuance_WritesAnAuditEventWithWhatItWasDecidedOn(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));

        await app.CreateClient().AccessTokenAsync(client, "orders.read");

        await using var db = app.CreateDbContext();
        var audit = await db.AuditEvents.SingleAsync(e => e.Action == "token.issued" && e.TargetId == client.ClientId);
        Assert.Equal($"client:{client.ClientId}", audit.ActorId);
        Assert.Contains(client.GrantIds[0].ToString(), audit.Details, StringComparison.Ordinal);
        Assert.Contains(PurchaseOrders, audit.Details, StringComparison.Ordinal);
        Assert.Contains("\"lifetimeSeconds\":300", audit.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(client.Secret, audit.Details, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task ClientSecret_IsStoredHashedOnly(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var client = await app.CreateServiceClientAsync(BoltNut);

        await using var db = app.CreateDbContext();
        var stored = await db.Set<OpenIddictEntityFrameworkCoreApplication>().Where(a => a.ClientId == client.ClientId).Select(a => a.ClientSecret).SingleAsync();
        Assert.StartsWith("sha256:", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(client.Secret, stored!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_ValidatedByAForeignResourceServerWithTheJwksAlone_PassesThenFailsAfterExp()
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        var client = await app.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        var http = app.CreateClient();
        var token = await http.AccessTokenAsync(client, "orders.read");

        // As a resource server that knows nothing but the published key set: no OpenIddict, no database.
        var jwks = new JsonWebKeySet(await http.GetStringAsync("/.well-known/jwks"));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = "http://localhost/",
            ValidAudience = PurchaseOrders,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = ["at+jwt"],
            ValidAlgorithms = ["ES256", "PS256"],
            ClockSkew = TimeSpan.Zero,

            // The foreign server's own clock: checked against exp without waiting five minutes.
            LifetimeValidator = (notBefore, expires, _, _) => expires > clock.GetUtcNow().UtcDateTime,
        };
        var handler = new JsonWebTokenHandler();

        var now = await handler.ValidateTokenAsync(token, parameters);
        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var later = await handler.ValidateTokenAsync(token, parameters);

        Assert.True(now.IsValid, now.Exception?.Message);
        Assert.False(later.IsValid);
        Assert.IsType<SecurityTokenInvalidLifetimeException>(later.Exception);
    }

    [Theory]
    [InlineData("grant_type=password&username=bob&password=x", "unsupported_grant_type")]
    [InlineData("grant_type=implicit", "unsupported_grant_type")]
    [InlineData("grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=x&subject_token_type=urn:ietf:params:oauth:token-type:jwt", "invalid_grant")]
    [InlineData("scope=orders.read", "invalid_request")]
    [InlineData("grant_type=client_credentials&grant_type=client_credentials&scope=orders.read", "invalid_request")]
    [InlineData("grant_type=client_credentials&scope=orders.read&scope=orders.read", "invalid_request")]
    [InlineData("grant_type=client_credentials&scope=", "invalid_scope")]
    [InlineData("grant_type=client_credentials&scope=no.such.scope", "invalid_scope")]
    public async Task Token_MalformedRequest_GetsTheOAuthErrorNever500(string form, string expected)
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        var content = new StringContent(form + $"&client_id={DemoDataSeeder.ErpClientId}&client_secret={DemoDataSeeder.ErpClientSecret}",
            System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");

        using var response = await app.CreateClient().PostAsync("/connect/token", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(expected, (await response.OAuthErrorAsync()).Error);
    }

    [Fact]
    public async Task Token_OversizedParameter_IsRefusedNever500()
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        var client = await app.CreateServiceClientAsync(BoltNut);

        using var response = await app.CreateClient().RequestTokenAsync(client.ClientId, client.Secret, new string('a', 200_000));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await response.OAuthErrorAsync()).Error);
    }

    [Fact]
    public async Task Discovery_PublishesEs256AndPs256_S256Only_NoImplicitOrPassword()
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        var http = app.CreateClient();

        var discovery = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("/.well-known/openid-configuration")).RootElement;
        var jwks = new JsonWebKeySet(await http.GetStringAsync("/.well-known/jwks"));

        Assert.Equal(["S256"], discovery.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        var grants = discovery.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.DoesNotContain("password", grants);
        Assert.DoesNotContain("implicit", grants);
        Assert.Contains(jwks.Keys, k => k.Alg == "ES256" && k.Kty == "EC");
        Assert.Contains(jwks.Keys, k => k.Alg == "PS256" && k.Kty == "RSA");
        Assert.All(jwks.Keys, k => Assert.True(string.IsNullOrEmpty(k.D), "No private key material in the JWKS."));
    }

    [Fact]
    public async Task Token_ForExpiredGrant_IsInvalidScope()
    {
        var app = apps.For(DatabaseProvider.Sqlite);
        var client = await app.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        await using var db = app.CreateDbContext();
        await db.Grants.Where(g => g.Id == client.GrantIds[0]).ExecuteUpdateAsync(s => s.SetProperty(g => g.Status, GrantStatus.Expired));

        using var response = await app.CreateClient().RequestTokenAsync(client.ClientId, client.Secret, "orders.read");

        Assert.Equal("invalid_scope", (await response.OAuthErrorAsync()).Error);
    }
}

/// <summary>
/// Invariant 1 when the server is slow: OpenIddict stamps a token with its own clock reading, taken after
/// PartnerGate decided on its lifetime. Here every clock reading moves time on by 400 ms, so that gap is always
/// more than a second (as on a loaded CI machine, where a token once came out with exp one second past its grant).
/// </summary>
public sealed class SlowServerTokenLifetimeTests : IAsyncLifetime
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private readonly PartnerGateAppFactory app;

    public SlowServerTokenLifetimeTests() =>
        app = new PartnerGateAppFactory(DatabaseProvider.Sqlite, configureServices: services => services.AddSingleton<TimeProvider>(clock));

    public ValueTask InitializeAsync() => app.InitializeAsync();

    public ValueTask DisposeAsync() => app.DisposeAsync();

    [Fact]
    public async Task Token_IssuedWhileTheClockMovesOnDuringIssuance_StillExpiresNoLaterThanTheGrant()
    {
        var client = await app.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromMinutes(2)));
        await using var db = app.CreateDbContext();
        var grant = await db.Grants.SingleAsync(g => g.Id == client.GrantIds[0], TestContext.Current.CancellationToken);

        clock.AutoAdvanceAmount = TimeSpan.FromMilliseconds(400);
        var token = Read(await app.CreateClient().AccessTokenAsync(client, "orders.read"));
        clock.AutoAdvanceAmount = TimeSpan.Zero;

        Assert.True(token.ValidTo <= grant.NotAfter.UtcDateTime, $"exp {token.ValidTo:O} must not pass the grant's end {grant.NotAfter:O}.");
    }
}
