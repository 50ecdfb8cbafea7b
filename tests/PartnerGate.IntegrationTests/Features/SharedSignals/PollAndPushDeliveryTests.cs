using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.Web.Features.Demo;
using PartnerGate.Web.Features.Grants;
using PartnerGate.Web.Features.SharedSignals;

namespace PartnerGate.IntegrationTests.Features.SharedSignals;

public sealed class PollAndPushDeliveryTests(ITestOutputHelper output)
{
    private const string Approver = "approver@acme.example";
    private const string PurchaseOrders = "purchase-orders";

    public static TheoryData<DatabaseProvider> Providers => Infrastructure.Apps.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Poll_ReturnsEventsAboveCursor_AcksAdvance_UnackedAreDeliveredAgain(DatabaseProvider provider)
    {
        await using var portal = await SsfPortal.StartAsync(provider);
        var client = await portal.CreateServiceClientAsync(TokenClients.BoltNut,
            (PurchaseOrders, ["orders.read"], TimeSpan.FromDays(3)), (PurchaseOrders, ["orders.read"], TimeSpan.FromDays(3)));
        using var http = portal.ResourceServerClient();
        var streamId = (await portal.CreateStreamAsync(http, SharedSignalsProtocol.PollDelivery))["stream_id"]!.GetValue<string>();
        var path = $"/ssf/streams/{streamId}/poll";

        var empty = await PollAsync(http, path, new { returnImmediately = true });
        Assert.Empty(empty["sets"]!.AsObject());
        Assert.False(empty["moreAvailable"]!.GetValue<bool>());

        foreach (var grant in client.GrantIds)
        {
            Assert.True((await portal.SendAsync<Result>(new RevokeGrantCommand(grant, "Ended"), Approver)).IsSuccess);
        }

        var first = await PollAsync(http, path, new { returnImmediately = true, maxEvents = 1 });
        var (firstJti, firstSet) = Assert.Single(first["sets"]!.AsObject());
        Assert.True(first["moreAvailable"]!.GetValue<bool>());
        var firstPayload = SseDeliveryTests.Payload(await portal.VerifySetAsync(firstSet!.GetValue<string>(), DemoDataSeeder.ResourceServerClientId));
        Assert.Equal(firstJti, firstPayload["jti"]!.GetValue<string>());
        Assert.Equal(client.GrantIds[0].ToString(), firstPayload["sub_id"]!["session"]!["id"]!.GetValue<string>());

        // Not acknowledged: the same event comes again.
        var again = await PollAsync(http, path, new { returnImmediately = true });
        Assert.Equal(2, again["sets"]!.AsObject().Count);
        Assert.True(again["sets"]!.AsObject().ContainsKey(firstJti));
        var secondJti = again["sets"]!.AsObject().Select(s => s.Key).Single(k => k != firstJti);

        // Acknowledging the first moves the cursor past it only.
        var afterFirstAck = await PollAsync(http, path, new { returnImmediately = true, ack = new[] { firstJti } });
        Assert.Equal([secondJti], afterFirstAck["sets"]!.AsObject().Select(s => s.Key));

        var afterAll = await PollAsync(http, path, new { returnImmediately = true, ack = new[] { secondJti } });
        Assert.Empty(afterAll["sets"]!.AsObject());

        await using var db = portal.CreateDbContext();
        var stream = await db.SsfStreams.AsNoTracking().SingleAsync(s => s.Id == streamId);
        Assert.Equal(await db.SecurityEvents.MaxAsync(e => e.Sequence), stream.Cursor);
    }

    [Fact]
    public async Task Poll_LongPoll_ReturnsAsSoonAsAnEventIsCommitted()
    {
        await using var portal = await SsfPortal.StartAsync(DatabaseProvider.Sqlite);
        var client = await portal.CreateServiceClientAsync(TokenClients.BoltNut, (PurchaseOrders, ["orders.read"], TimeSpan.FromDays(3)));
        using var http = portal.ResourceServerClient();
        var streamId = (await portal.CreateStreamAsync(http, SharedSignalsProtocol.PollDelivery))["stream_id"]!.GetValue<string>();

        var polling = PollAsync(http, $"/ssf/streams/{streamId}/poll", new { returnImmediately = false });
        await Task.Delay(300);
        Assert.False(polling.IsCompleted);
        Assert.True((await portal.SendAsync<Result>(new RevokeGrantCommand(client.GrantIds[0], "Ended"), Approver)).IsSuccess);
        var committed = DateTimeOffset.UtcNow;
        var answer = await polling.WaitAsync(TimeSpan.FromSeconds(5));
        output.WriteLine($"long poll answered {(DateTimeOffset.UtcNow - committed).TotalMilliseconds:F0} ms after the commit");
        Assert.Single(answer["sets"]!.AsObject());
    }

    [Fact]
    public async Task Push_DeliversInOrderWith202_RetriesAfter500_RecordsA400AndMovesOn()
    {
        await using var receiver = await PushReceiver.StartAsync();
        await using var portal = await SsfPortal.StartAsync(DatabaseProvider.Sqlite);
        var client = await portal.CreateServiceClientAsync(TokenClients.BoltNut,
            (PurchaseOrders, ["orders.read"], TimeSpan.FromDays(3)), (PurchaseOrders, ["orders.read"], TimeSpan.FromDays(3)), (PurchaseOrders, ["orders.read"], TimeSpan.FromDays(3)));
        using var http = portal.ResourceServerClient();
        var streamId = (await portal.CreateStreamAsync(http, SharedSignalsProtocol.PushDelivery, receiver.EventsUrl, "Bearer receiver-token"))["stream_id"]!.GetValue<string>();

        // First event: the receiver fails once (500), then accepts: delivered after the back-off, not lost.
        receiver.Answers.Enqueue(HttpStatusCode.InternalServerError);
        receiver.Answers.Enqueue(HttpStatusCode.Accepted);
        Assert.True((await portal.SendAsync<Result>(new RevokeGrantCommand(client.GrantIds[0], "First"), Approver)).IsSuccess);
        await receiver.WaitForAsync(2, TimeSpan.FromSeconds(10));
        // The same SET again (same header and claims; an ECDSA signature differs on every signing).
        Assert.Equal(receiver.Received[0].Token[..receiver.Received[0].Token.LastIndexOf('.')], receiver.Received[1].Token[..receiver.Received[1].Token.LastIndexOf('.')]);
        Assert.All(receiver.Received, r => Assert.Equal("Bearer receiver-token", r.Authorization));
        Assert.All(receiver.Received, r => Assert.Equal(SharedSignalsProtocol.SecurityEventMediaType, r.ContentType));
        var retryDelay = receiver.Received[1].At - receiver.Received[0].At;
        output.WriteLine($"retry after 500: {retryDelay.TotalMilliseconds:F0} ms");
        Assert.InRange(retryDelay.TotalMilliseconds, 900, 4000);

        // Second event rejected (400): recorded, skipped; third accepted.
        receiver.Answers.Enqueue(HttpStatusCode.BadRequest);
        receiver.Answers.Enqueue(HttpStatusCode.Accepted);
        Assert.True((await portal.SendAsync<Result>(new RevokeGrantCommand(client.GrantIds[1], "Second"), Approver)).IsSuccess);
        await receiver.WaitForAsync(3, TimeSpan.FromSeconds(10));
        var rejected = await WaitForStreamAsync(portal, streamId, s => s.LastDeliveryError is not null);
        Assert.Contains("invalid_key", rejected.LastDeliveryError);
        Assert.Contains("Unknown signing key.", rejected.LastDeliveryError);
        Assert.Null(rejected.NextAttemptAt);
        Assert.True((await portal.SendAsync<Result>(new RevokeGrantCommand(client.GrantIds[2], "Third"), Approver)).IsSuccess);
        await receiver.WaitForAsync(4, TimeSpan.FromSeconds(10));

        var grants = new List<string>();
        foreach (var delivery in receiver.Received.Skip(1))
        {
            var payload = SseDeliveryTests.Payload(await portal.VerifySetAsync(delivery.Token, DemoDataSeeder.ResourceServerClientId));
            grants.Add(payload["sub_id"]!["session"]!["id"]!.GetValue<string>());
        }

        Assert.Equal(client.GrantIds.Select(g => g.ToString()), grants);
        await using var db = portal.CreateDbContext();
        var newest = await db.SecurityEvents.MaxAsync(e => e.Sequence);
        var stream = await WaitForStreamAsync(portal, streamId, s => s.Cursor == newest);
        Assert.Null(stream.NextAttemptAt);
        Assert.NotNull(stream.LastDeliveryAt);
    }

    private static async Task<SsfStream> WaitForStreamAsync(SsfPortal portal, string streamId, Func<SsfStream, bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (true)
        {
            await using var db = portal.CreateDbContext();
            var stream = await db.SsfStreams.AsNoTracking().SingleAsync(s => s.Id == streamId);
            if (condition(stream) || DateTimeOffset.UtcNow > deadline)
            {
                return stream;
            }

            await Task.Delay(50);
        }
    }

    private static async Task<JsonNode> PollAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    /// <summary>A push receiver (RFC 8935) on loopback that answers from a queue of statuses (202 when empty).</summary>
    private sealed class PushReceiver : IAsyncDisposable
    {
        private readonly WebApplication app;

        private PushReceiver(WebApplication app, string eventsUrl)
        {
            this.app = app;
            EventsUrl = eventsUrl;
        }

        public string EventsUrl { get; }
        public ConcurrentQueue<HttpStatusCode> Answers { get; } = new();
        public List<(string Token, string? Authorization, string? ContentType, DateTimeOffset At)> Received { get; } = [];

        public static async Task<PushReceiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            PushReceiver? receiver = null;
            app.MapPost("/events", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var token = await reader.ReadToEndAsync();
                lock (receiver!.Received)
                {
                    receiver.Received.Add((token, context.Request.Headers.Authorization.ToString(), context.Request.ContentType, DateTimeOffset.UtcNow));
                }

                var status = receiver.Answers.TryDequeue(out var answer) ? answer : HttpStatusCode.Accepted;
                return status == HttpStatusCode.BadRequest
                    ? Results.Json(new { err = "invalid_key", description = "Unknown signing key." }, statusCode: 400)
                    : Results.StatusCode((int)status);
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            receiver = new PushReceiver(app, address.TrimEnd('/') + "/events");
            return receiver;
        }

        public async Task WaitForAsync(int count, TimeSpan timeout)
        {
            var deadline = DateTimeOffset.UtcNow + timeout;
            while (true)
            {
                lock (Received)
                {
                    if (Received.Count >= count)
                    {
                        return;
                    }
                }

                Assert.True(DateTimeOffset.UtcNow < deadline, $"The receiver got {Received.Count} of {count} pushes.");
                await Task.Delay(50);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
