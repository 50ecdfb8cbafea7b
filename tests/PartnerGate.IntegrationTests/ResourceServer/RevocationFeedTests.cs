using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.Common;
using PartnerGate.Data;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.ResourceServer;
using PartnerGate.Web.Features.Clients;
using PartnerGate.Web.Features.Grants;
using static PartnerGate.IntegrationTests.Features.Connect.TokenClients;

namespace PartnerGate.IntegrationTests.ResourceServer;

/// <summary>
/// Invariant 5 with real processes on loopback: the portal, and a manufacturer API built with the library that
/// follows the portal's revocation feed. A revocation made in the portal stops the same token at the API within a
/// second; a cut feed fails closed (or falls back to introspection); a reconnect replays what was missed.
/// </summary>
public sealed class RevocationFeedTests(KestrelPortal portal, ITestOutputHelper output) : IClassFixture<KestrelPortal>
{
    private const string Approver = "approver@acme.example";
    private const string Alice = "alice@boltnut.example";
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task RevokedGrant_IsRefusedByTheApiWithinASecond_AndInactiveAtIntrospectionAtOnce() =>
        await AssertRevocationWithinASecondAsync(portal, "SQLite");

    [Fact]
    public async Task RevokedGrant_IsRefusedByTheApiWithinASecond_WithThePortalOnPostgreSql()
    {
        Assert.SkipUnless(PartnerGateAppFactory.PostgresAvailable, $"PostgreSQL not configured ({PartnerGateAppFactory.PostgresVariable}); ./test.sh starts one.");
        await using var postgresPortal = new PostgreSqlPortal();
        await postgresPortal.InitializeAsync();

        await AssertRevocationWithinASecondAsync(postgresPortal, "PostgreSQL");
    }

    private async Task AssertRevocationWithinASecondAsync(KestrelPortal onPortal, string database)
    {
        await using var api = await TestApiHost.StartAsync(onPortal.Authority, PurchaseOrders);
        var client = await onPortal.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        using var http = onPortal.CreateHttpClient();
        var token = await http.AccessTokenAsync(client, "orders.read");
        await AssertAcceptedAsync(api, token);

        var revoked = await onPortal.SendAsync<Result>(new RevokeGrantCommand(client.GrantIds[0], "Contract ended"), Approver);
        var sinceCommit = Stopwatch.StartNew();
        Assert.True(revoked.IsSuccess, revoked.Error?.Message);
        var introspection = IntrospectTimedAsync(http, token, sinceCommit);
        var lag = await RefusedWithinAsync(api, token, OneSecond, sinceCommit, "revoked");
        var (active, introspectedAfter) = await introspection;

        Assert.False(active);
        output.WriteLine($"Grant revocation ({database}): introspection answered inactive {introspectedAfter.TotalMilliseconds:F0} ms, API refused {lag.TotalMilliseconds:F0} ms after commit.");
    }

    private static async Task<(bool Active, TimeSpan After)> IntrospectTimedAsync(HttpClient http, string token, Stopwatch clock)
    {
        var result = await http.IntrospectAsync(token);
        return (result.GetProperty("active").GetBoolean(), clock.Elapsed);
    }

    [Fact]
    public async Task DisabledClient_IsRefusedWithinASecond_AndAcceptedAgainOnceEnabled()
    {
        await using var api = await TestApiHost.StartAsync(portal.Authority, PurchaseOrders);
        var client = await portal.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        var token = await TokenAsync(client);
        await AssertAcceptedAsync(api, token);

        var disabled = await portal.SendAsync<Result>(new DisableApiClientCommand(client.ClientId, "Suspected leak of the secret."), Alice);
        var sinceDisable = Stopwatch.StartNew();
        Assert.True(disabled.IsSuccess, disabled.Error?.Message);
        var disableLag = await RefusedWithinAsync(api, token, OneSecond, sinceDisable, "disabled");

        var enabled = await portal.SendAsync<Result>(new EnableApiClientCommand(client.ClientId), Alice);
        var sinceEnable = Stopwatch.StartNew();
        Assert.True(enabled.IsSuccess, enabled.Error?.Message);
        var enableLag = await AcceptedWithinAsync(api, token, OneSecond, sinceEnable);

        output.WriteLine($"Client disable: API refused {disableLag.TotalMilliseconds:F0} ms after commit; enable: accepted again after {enableLag.TotalMilliseconds:F0} ms.");
    }

    [Fact]
    public async Task FeedCut_FailsClosedOnceTheSilenceBoundPasses_AndRecoversWhenItIsBack()
    {
        using var feed = new FeedSwitch();
        await using var api = await StartBehindAsync(feed, TimeSpan.FromSeconds(2));
        var token = await TokenAsync(await portal.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1))));

        feed.Block();
        var sinceCut = Stopwatch.StartNew();
        using var rightAfterCut = await api.SendAsync(HttpMethod.Get, TestApiHost.OrdersPath, token);
        var failedClosedAfter = await RefusedWithinAsync(api, token, TimeSpan.FromSeconds(2) + OneSecond, sinceCut, "revocation feed is unavailable");
        Assert.False(api.Feed.Connected);
        Assert.False(api.Feed.IsCurrent);

        feed.Unblock();
        var sinceRestore = Stopwatch.StartNew();
        var recoveredAfter = await AcceptedWithinAsync(api, token, TimeSpan.FromSeconds(5), sinceRestore);

        // Within the bound the API still trusts what it knows: the last message was at most a heartbeat (1 s) ago.
        Assert.Equal(HttpStatusCode.OK, rightAfterCut.StatusCode);
        Assert.True(failedClosedAfter >= OneSecond, $"failed closed after {failedClosedAfter}, before the 2 s bound could have passed");
        Assert.True(api.Feed.IsCurrent);
        output.WriteLine($"Feed cut: failed closed after {failedClosedAfter.TotalMilliseconds:F0} ms (bound 2 s); accepted again {recoveredAfter.TotalMilliseconds:F0} ms after the feed came back.");
    }

    [Fact]
    public async Task FeedCut_InIntrospectionMode_AnswersFromIntrospection_AcceptedWhileActive_RefusedAfterRevocation()
    {
        using var feed = new FeedSwitch();
        await using var api = await StartBehindAsync(feed, OneSecond, FeedSilenceMode.Introspection);
        var client = await portal.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        var token = await TokenAsync(client);

        feed.Block();
        await WaitUntilAsync(() => !api.Feed.IsCurrent, TimeSpan.FromSeconds(5));
        await AssertAcceptedAsync(api, token);
        var introspectionsWhileActive = feed.Introspections;

        var revoked = await portal.SendAsync<Result>(new RevokeGrantCommand(client.GrantIds[0], "Contract ended"), Approver);
        var sinceCommit = Stopwatch.StartNew();
        Assert.True(revoked.IsSuccess, revoked.Error?.Message);

        // A positive introspection answer is reused for at most a second, so the refusal comes within that.
        var lag = await RefusedWithinAsync(api, token, OneSecond + TimeSpan.FromMilliseconds(500), sinceCommit, "no longer active");

        Assert.True(introspectionsWhileActive >= 1, "the active token was accepted without asking introspection");
        Assert.False(api.Feed.IsCurrent);
        output.WriteLine($"Introspection fallback: refused {lag.TotalMilliseconds:F0} ms after the revocation committed (answers cached ≤ 1 s).");
    }

    [Fact]
    public async Task RevocationWhileDisconnected_IsAppliedAfterTheReconnect_ByLastEventIdReplay()
    {
        using var feed = new FeedSwitch();
        await using var api = await StartBehindAsync(feed, TimeSpan.FromSeconds(30));
        var client = await portal.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        var token = await TokenAsync(client);
        var cursorBefore = api.Feed.Cursor;

        feed.Block();
        Assert.True((await portal.SendAsync<Result>(new RevokeGrantCommand(client.GrantIds[0], "Revoked while the API was away"), Approver)).IsSuccess);
        await Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);
        using var whileDisconnected = await api.SendAsync(HttpMethod.Get, TestApiHost.OrdersPath, token);
        feed.Unblock();
        var sinceReconnect = Stopwatch.StartNew();
        var lag = await RefusedWithinAsync(api, token, TimeSpan.FromSeconds(5), sinceReconnect, "revoked");

        // Within its 30 s bound the disconnected API could not know: the gap the silence bound allows, closed on reconnect.
        Assert.Equal(HttpStatusCode.OK, whileDisconnected.StatusCode);
        Assert.NotNull(cursorBefore);
        var lastEventIds = feed.StreamRequests.ToList();
        Assert.Null(lastEventIds[0]);
        Assert.Contains(lastEventIds.Skip(1), id => id is not null && long.Parse(id, System.Globalization.CultureInfo.InvariantCulture) >= cursorBefore);
        Assert.True(api.Feed.Cursor > cursorBefore);
        output.WriteLine($"Replay: refused {lag.TotalMilliseconds:F0} ms after the feed came back (back-off ≤ 2 s).");
    }

    [Fact]
    public async Task ApiStartedAfterTheRevocation_RefusesTheRevokedGrant_DisabledClient_AndSuspendedPartner_FromTheSnapshot()
    {
        // Its own portal: suspending a demo partner must not disturb the other tests.
        await using var ownPortal = new KestrelPortal();
        await ownPortal.InitializeAsync();
        using var http = ownPortal.CreateHttpClient();
        var revokedClient = await ownPortal.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        var disabledClient = await ownPortal.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        var suspendedPartnersClient = await ownPortal.CreateServiceClientAsync(FastFreight, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        var untouched = await ownPortal.CreateServiceClientAsync(BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        var revokedToken = await http.AccessTokenAsync(revokedClient, "orders.read");
        var disabledToken = await http.AccessTokenAsync(disabledClient, "orders.read");
        var suspendedToken = await http.AccessTokenAsync(suspendedPartnersClient, "orders.read");
        var untouchedToken = await http.AccessTokenAsync(untouched, "orders.read");
        Assert.True((await ownPortal.SendAsync<Result>(new RevokeGrantCommand(revokedClient.GrantIds[0], "Contract ended"), Approver)).IsSuccess);
        Assert.True((await ownPortal.SendAsync<Result>(new DisableApiClientCommand(disabledClient.ClientId, "Leaked secret"), Alice)).IsSuccess);
        await using (var db = ownPortal.CreateDbContext())
        {
            // No suspend command exists yet; the snapshot reads partner status from the table, so the row is changed directly.
            var partner = await db.Partners.SingleAsync(p => p.Id == suspendedPartnersClient.PartnerId, TestContext.Current.CancellationToken);
            Assert.True(partner.Suspend("Audit failed").IsSuccess);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        await using var api = await TestApiHost.StartAsync(ownPortal.Authority, PurchaseOrders);

        await AssertRefusedAsync(api, revokedToken, "revoked");
        await AssertRefusedAsync(api, disabledToken, "disabled");
        await AssertRefusedAsync(api, suspendedToken, "suspended");
        await AssertAcceptedAsync(api, untouchedToken);
        Assert.Equal((1, 1, 1), (api.Feed.RevokedGrants, api.Feed.DisabledClients, api.Feed.SuspendedPartners));
    }

    /// <summary>An API whose backchannel to the portal goes through <paramref name="feed"/>, so a test can cut the feed alone.</summary>
    private Task<TestApiHost> StartBehindAsync(FeedSwitch feed, TimeSpan silenceBound, FeedSilenceMode whenSilent = FeedSilenceMode.FailClosed) =>
        TestApiHost.StartAsync(portal.Authority, PurchaseOrders, configure: o =>
        {
            o.BackchannelHttpHandler = feed;
            o.RevocationFeed.SilenceBound = silenceBound;
            o.RevocationFeed.WhenSilent = whenSilent;
        });

    private async Task<string> TokenAsync(TestClient client)
    {
        using var http = portal.CreateHttpClient();
        return await http.AccessTokenAsync(client, "orders.read");
    }

    private static async Task AssertAcceptedAsync(TestApiHost api, string token)
    {
        using var response = await api.SendAsync(HttpMethod.Get, TestApiHost.OrdersPath, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task AssertRefusedAsync(TestApiHost api, string token, string description)
    {
        using var response = await api.SendAsync(HttpMethod.Get, TestApiHost.OrdersPath, token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains(description, challenge.Parameter, StringComparison.Ordinal);
    }

    /// <summary>Calls the API every 10 ms until it refuses the token; fails if that takes longer than <paramref name="limit"/> on <paramref name="clock"/>.</summary>
    private static async Task<TimeSpan> RefusedWithinAsync(TestApiHost api, string token, TimeSpan limit, Stopwatch clock, string description)
    {
        while (true)
        {
            using var response = await api.SendAsync(HttpMethod.Get, TestApiHost.OrdersPath, token);
            var elapsed = clock.Elapsed;
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                Assert.True(elapsed <= limit, $"refused only after {elapsed.TotalMilliseconds:F0} ms (limit {limit.TotalMilliseconds:F0} ms)");
                Assert.Contains(description, Assert.Single(response.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
                return elapsed;
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(elapsed <= limit, $"still accepted after {elapsed.TotalMilliseconds:F0} ms (limit {limit.TotalMilliseconds:F0} ms)");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    private static async Task<TimeSpan> AcceptedWithinAsync(TestApiHost api, string token, TimeSpan limit, Stopwatch clock)
    {
        while (true)
        {
            using var response = await api.SendAsync(HttpMethod.Get, TestApiHost.OrdersPath, token);
            var elapsed = clock.Elapsed;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return elapsed;
            }

            Assert.True(elapsed <= limit, $"still refused after {elapsed.TotalMilliseconds:F0} ms (limit {limit.TotalMilliseconds:F0} ms)");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed <= limit, "the condition did not come true in time");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    private sealed class PostgreSqlPortal() : KestrelPortal(DatabaseProvider.PostgreSql);
}
