using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Features.AccessRequests;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.IntegrationTests.Features.SharedSignals;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.IntegrationTests.ResourceServer;
using PartnerGate.Web.Features.Grants;
using PartnerGate.Web.Features.SharedSignals;
using PartnerGate.Web.Infrastructure.Live;
using PartnerGate.Web.Infrastructure.ScaleOut;

namespace PartnerGate.IntegrationTests.ScaleOut;

/// <summary>
/// DESIGN.md, scale-out: two nodes on loopback over one PostgreSQL database and one Redis server behave as one. An
/// approval on node A reaches node B's circuits (its inbox reloads on it), and a revocation on node A reaches a
/// resource server fed from node B within a second even when node B's own database poll is far slower.
/// </summary>
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    private const string Approver = "approver@acme.example";

    [Fact]
    public async Task RequestAndApproval_OnOneNode_ReachTheOtherNodesCircuits_OnceOnEachNode_AndNoOtherDeployment()
    {
        await using var nodeA = await SsfPortal.StartAsync(DatabaseProvider.PostgreSql, TestRedis.DeploymentSettings());
        await using var nodeB = await nodeA.StartSecondNodeAsync();
        // Another deployment on the same Redis server (its own prefix and database) must hear none of it.
        await using var otherDeployment = await SsfPortal.StartAsync(DatabaseProvider.Sqlite, TestRedis.DeploymentSettings());
        await UntilReadyAsync(nodeA, nodeB, otherDeployment);
        var heardOnA = Listen(nodeA);
        var heardOnB = Listen(nodeB);
        var heardElsewhere = Listen(otherDeployment);
        var bob = await nodeA.NewBoltNutUserAsync();

        var submitted = Stopwatch.StartNew();
        var requestId = await nodeA.SubmittedAsync(bob, "inventory", "inventory.read", TimeSpan.FromHours(4));
        await heardOnB.UntilAsync(u => u.Kind == LiveUpdateKind.RequestSubmitted && u.RequestId == requestId);
        output.WriteLine($"submitted on A → heard on B: {submitted.ElapsedMilliseconds} ms (including the command)");

        // The approver works node B's inbox; node A's open pages (bob's requests) hear the decision.
        var approved = await nodeB.ApproveAsync(Approver, requestId);
        Assert.True(approved.IsSuccess, approved.Error?.Message);
        await heardOnA.UntilAsync(u => u.Kind == LiveUpdateKind.RequestDecided && u.RequestId == requestId);

        // Each node's circuits hear each change once: the committing node's from its own hub, the other's from Redis,
        // and no node takes its own publication back from the channel.
        await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
        foreach (var heard in new[] { heardOnA, heardOnB })
        {
            Assert.Equal(1, heard.Count(u => u.Kind == LiveUpdateKind.RequestSubmitted && u.RequestId == requestId));
            Assert.Equal(1, heard.Count(u => u.Kind == LiveUpdateKind.RequestDecided && u.RequestId == requestId));
        }

        Assert.DoesNotContain(heardElsewhere.All, u => u.RequestId == requestId);
        Assert.True(nodeA.Services.GetRequiredService<RedisScaleOut>().IsConnected);
    }

    [Fact]
    public async Task Revocation_OnNodeA_ReachesAResourceServerFedFromNodeB_WithinOneSecond_ThoughNodeBPollsEveryMinute()
    {
        // Node B reads the feed from the database only once a minute: within a second, only Redis can have woken it.
        var settings = TestRedis.DeploymentSettings();
        settings["SharedSignals:PollMilliseconds"] = "60000";
        settings["SharedSignals:HeartbeatSeconds"] = "60";
        await using var nodeA = await SsfPortal.StartAsync(DatabaseProvider.PostgreSql, settings);
        await using var nodeB = await nodeA.StartSecondNodeAsync();
        await UntilReadyAsync(nodeA, nodeB);
        var client = await nodeA.CreateServiceClientAsync(TokenClients.BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(3)));
        using var http = nodeB.ResourceServerClient();
        var streamId = (await nodeB.CreateStreamAsync(http, SharedSignalsProtocol.SseDelivery))["stream_id"]!.GetValue<string>();
        await using var sse = await SseConnection.OpenAsync(http, streamId);
        await sse.UntilSyncedAsync();

        Assert.True((await nodeA.SendAsync<Result>(new RevokeGrantCommand(client.GrantIds[0], "Ended on node A"), Approver)).IsSuccess);
        var message = await sse.NextAsync("set", TimeSpan.FromSeconds(5));

        var payload = JsonNode.Parse(Base64UrlEncoder.Decode((await nodeB.VerifySetAsync(message.Data, Web.Features.Demo.DemoDataSeeder.ResourceServerClientId)).EncodedPayload))!;
        Assert.Equal(client.GrantIds[0].ToString(), payload["sub_id"]!["session"]!["id"]!.GetValue<string>());
        await using var db = nodeA.CreateDbContext();
        var occurredAt = (await db.SecurityEvents.AsNoTracking().SingleAsync(e => e.Id == Guid.Parse(payload["jti"]!.GetValue<string>()))).OccurredAt;
        var latency = message.ReceivedAt - occurredAt;
        output.WriteLine($"node A commit → SET from node B: {latency.TotalMilliseconds:F0} ms (node B's poll: 60 s)");
        Assert.True(latency < TimeSpan.FromSeconds(1), $"{latency.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task FailedClientAuthentications_OnNodeA_ThrottleTheSameAddressOnNodeB()
    {
        // Three failures per address and window for the deployment, not three per node.
        var settings = TestRedis.DeploymentSettings();
        settings["RateLimiting:ClientAuthentication:PermitLimit"] = "3";
        await using var nodeA = await SsfPortal.StartAsync(DatabaseProvider.PostgreSql, settings);
        await using var nodeB = await nodeA.StartSecondNodeAsync();
        await UntilReadyAsync(nodeA, nodeB);
        var client = await nodeA.CreateServiceClientAsync(TokenClients.BoltNut, ("purchase-orders", ["orders.read"], TimeSpan.FromDays(1)));
        using var toNodeA = nodeA.CreateHttpClient();
        using var toNodeB = nodeB.CreateHttpClient();

        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var wrong = await toNodeA.RequestTokenAsync(client.ClientId, "wrong-secret", "orders.read");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        // Node B never saw a failure of its own; it refuses the address once node A's failures have reached it.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await toNodeB.RequestTokenAsync(client.ClientId, client.Secret, "orders.read");
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
                break;
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(5), "Node B still authenticated the address 5 s after node A throttled it.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        output.WriteLine($"node A's third failure → node B refuses: {deadline.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task UnreachableRedis_NodeStillStartsAndServes_ReadinessSaysDegraded_LocalLiveUpdatesStillArrive()
    {
        // Nothing listens on this port: the node must not refuse to start because Redis is away.
        await using var node = await SsfPortal.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{LoopbackPort.Free()},connectTimeout=500",
            ["ScaleOut:ChannelPrefix"] = "partnergate-test-" + Guid.NewGuid().ToString("N")[..12],
        });
        var heard = Listen(node);
        using var http = node.CreateHttpClient();

        using var ready = await http.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Degraded", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var bob = await node.NewBoltNutUserAsync();
        var requestId = await node.SubmittedAsync(bob, "inventory", "inventory.read", TimeSpan.FromHours(4));
        await heard.UntilAsync(u => u.Kind == LiveUpdateKind.RequestSubmitted && u.RequestId == requestId);
        Assert.False(node.Services.GetRequiredService<RedisScaleOut>().IsConnected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("a/b")]
    public async Task InvalidChannelPrefix_StopsStartUp(string prefix)
    {
        var start = () => SsfPortal.StartAsync(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["ScaleOut:ChannelPrefix"] = prefix });

        var failure = await Record.ExceptionAsync(start);

        Assert.Contains("ScaleOut:ChannelPrefix", failure?.ToString() ?? "(started)", StringComparison.Ordinal);
    }

    /// <summary>Nodes connect to Redis in the background: readiness turns from Degraded to Healthy once a node listens.</summary>
    private static Task UntilReadyAsync(params KestrelPortal[] nodes) =>
        Readiness.UntilHealthyAsync(TimeSpan.FromSeconds(15), [.. nodes.Select(node => node.BaseAddress)]);

    private static HeardUpdates Listen(PartnerGateAppFactory node)
    {
        var heard = new HeardUpdates();
        node.Services.GetRequiredService<LiveUpdateHub>().Changed += heard.Add;
        return heard;
    }

    /// <summary>What a node's circuits were told, in order.</summary>
    private sealed class HeardUpdates
    {
        private readonly ConcurrentQueue<LiveUpdate> updates = new();

        public IReadOnlyCollection<LiveUpdate> All => updates;

        public void Add(LiveUpdate update) => updates.Enqueue(update);

        public int Count(Func<LiveUpdate, bool> match) => updates.Count(match);

        public async Task UntilAsync(Func<LiveUpdate, bool> match)
        {
            var deadline = Stopwatch.StartNew();
            while (!updates.Any(match))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"Not heard within 10 s; heard: {string.Join(", ", updates)}");
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }
        }
    }
}
