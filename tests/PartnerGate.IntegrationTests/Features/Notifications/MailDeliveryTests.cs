using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using PartnerGate.Data;
using PartnerGate.Data.Configurations;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Notifications;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Features.Notifications;
using PartnerGate.Web.Infrastructure.Mail;

namespace PartnerGate.IntegrationTests.Features.Notifications;

/// <summary>
/// Mail from a committed event to a real SMTP server (aiosmtpd on loopback): through the outbox, the
/// dispatcher's lease and back-off, and the held state without SMTP. Each test runs its own app, so the
/// SMTP settings and the fake clock never touch the shared one. The background loop is off in these apps
/// (Mail:BackgroundDispatch=false): the tests run each pass themselves with DispatchDueAsync.
/// </summary>
public sealed class MailDeliveryTests
{
    private const string PortalBaseUrl = "https://partnergate.acme.example";

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task AccessRequested_WithSmtp_ReachesEveryApproverThroughTheSmtpServer(DatabaseProvider provider)
    {
        SkipUnlessAvailable(provider);
        await using var smtp = await SmtpServer.StartAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await StartAppAsync(provider, smtp.Port, clock);
        var request = await MailWorkflow.SubmitAsync(app, clock.GetUtcNow(), "bob@boltnut.example", "purchase-orders");

        await MailWorkflow.PublishAsync(app, new AccessRequested(request.Id, request.PartnerId, request.ResourceId, 1));
        var handled = await Dispatcher(app).DispatchDueAsync(CancellationToken.None);

        Assert.Equal(2, handled);
        var mails = smtp.Messages();
        Assert.Equal(["approver2@acme.example", "approver@acme.example"], mails.Select(m => m.To.Mailboxes.Single().Address).Order(StringComparer.Ordinal));
        Assert.Equal(["approver2@acme.example", "approver@acme.example"], mails.Select(m => m.Headers["X-RcptTo"]).Order(StringComparer.Ordinal));
        foreach (var mail in mails)
        {
            Assert.Equal("no-reply@partnergate.local", mail.From.Mailboxes.Single().Address);
            Assert.StartsWith("New access request: BoltNut Supply asks for Purchase orders (orders.read) from ", mail.Subject, StringComparison.Ordinal);
            Assert.EndsWith(" for 4 hours", mail.Subject, StringComparison.Ordinal);
            Assert.Contains("Bob Nut of BoltNut Supply asks for time-boxed access", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains(MailWorkflow.Justification, mail.TextBody, StringComparison.Ordinal);
            Assert.Contains($"{PortalBaseUrl}/inbox", mail.TextBody, StringComparison.Ordinal);
            Assert.Contains(Iso(request.NotBefore), mail.TextBody, StringComparison.Ordinal);
        }

        var outbox = await MailWorkflow.OutboxAsync(app);
        Assert.Equal(2, outbox.Count);
        Assert.All(outbox, message =>
        {
            Assert.Equal(OutboxStatus.Sent, message.Status);
            Assert.Equal(MailKinds.RequestSubmitted, message.Kind);
            Assert.Equal(request.PartnerId, message.PartnerId);
            Assert.Equal(1, message.Attempts);
            Assert.Equal(Clock.Normalize(clock.GetUtcNow()), message.SentAt);
        });
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task SmtpDown_MailStaysPendingWithBackOff_ThenIsSentOnceDueAndTheServerIsUp(DatabaseProvider provider)
    {
        SkipUnlessAvailable(provider);
        await using var smtp = SmtpServer.Reserve();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await StartAppAsync(provider, smtp.Port, clock);
        var dispatcher = Dispatcher(app);
        var request = await MailWorkflow.SubmitAsync(app, clock.GetUtcNow(), "bob@boltnut.example", "purchase-orders");
        await MailWorkflow.PublishAsync(app, new AccessRequested(request.Id, request.PartnerId, request.ResourceId, 1));
        var failedAt = clock.GetUtcNow();

        Assert.Equal(2, await dispatcher.DispatchDueAsync(CancellationToken.None));

        var pending = await MailWorkflow.OutboxAsync(app);
        Assert.Equal(2, pending.Count);
        Assert.All(pending, message =>
        {
            Assert.Equal(OutboxStatus.Pending, message.Status);
            Assert.Equal(1, message.Attempts);
            Assert.False(string.IsNullOrWhiteSpace(message.LastError));
            Assert.DoesNotContain(MailWorkflow.Justification, message.LastError, StringComparison.Ordinal);
            Assert.Equal(Clock.Normalize(failedAt.AddSeconds(30)), message.NextAttemptAt);
            Assert.True(message.NextAttemptAt > clock.GetUtcNow());
        });

        // The server is back, but the back-off still holds until the next attempt is due.
        await smtp.StartListeningAsync();
        Assert.Equal(0, await dispatcher.DispatchDueAsync(CancellationToken.None));
        Assert.Empty(smtp.Messages());

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(2, await dispatcher.DispatchDueAsync(CancellationToken.None));

        Assert.Equal(2, smtp.Messages().Count);
        Assert.All(await MailWorkflow.OutboxAsync(app), message =>
        {
            Assert.Equal(OutboxStatus.Sent, message.Status);
            Assert.Equal(2, message.Attempts);
            Assert.Null(message.LastError);
        });
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task WithoutSmtp_MailIsHeld_AndAdministratorsPageThroughIt(DatabaseProvider provider)
    {
        SkipUnlessAvailable(provider);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await StartAppAsync(provider, smtpPort: null, clock);
        var request = await MailWorkflow.SubmitAsync(app, clock.GetUtcNow(), "bob@boltnut.example", "purchase-orders");
        await MailWorkflow.PublishAsync(app, new AccessRequested(request.Id, request.PartnerId, request.ResourceId, 1));

        Assert.Equal(2, await Dispatcher(app).DispatchDueAsync(CancellationToken.None));

        Assert.All(await MailWorkflow.OutboxAsync(app), message =>
        {
            Assert.Equal(OutboxStatus.Held, message.Status);
            Assert.Equal(0, message.Attempts);
        });

        var held = await app.SendAsync<Result<OutboxListing>>(new ListOutboxMessagesQuery(0, 10, OutboxStatus.Held), "admin@acme.example");
        Assert.True(held.IsSuccess, held.Error?.Message);
        Assert.False(held.Value.DeliveryConfigured);
        Assert.Equal(2, held.Value.TotalCount);
        Assert.Equal(["approver2@acme.example", "approver@acme.example"], held.Value.Items.Select(i => i.To).Order(StringComparer.Ordinal));
        Assert.All(held.Value.Items, item =>
        {
            Assert.Equal(OutboxStatus.Held, item.Status);
            Assert.Contains("BoltNut Supply", item.Subject, StringComparison.Ordinal);
            Assert.Contains(MailWorkflow.Justification, item.Body, StringComparison.Ordinal);
        });

        var first = await app.SendAsync<Result<OutboxListing>>(new ListOutboxMessagesQuery(0, 1), "admin@acme.example");
        var second = await app.SendAsync<Result<OutboxListing>>(new ListOutboxMessagesQuery(1, 1), "admin@acme.example");
        Assert.Equal(2, first.Value.TotalCount);
        Assert.NotEqual(Assert.Single(first.Value.Items).Id, Assert.Single(second.Value.Items).Id);

        var sent = await app.SendAsync<Result<OutboxListing>>(new ListOutboxMessagesQuery(0, 10, OutboxStatus.Sent), "admin@acme.example");
        Assert.Equal(0, sent.Value.TotalCount);
    }

    [Fact]
    public async Task BackgroundDispatcher_WhenSignalled_HandlesMailWithoutWaitingForTheInterval()
    {
        await using var app = new PartnerGateAppFactory(DatabaseProvider.Sqlite, extraSettings: new Dictionary<string, string?>
        {
            // An hour: only the signal the mail handler gives can explain a pass within the test.
            ["Mail:DispatchIntervalSeconds"] = "3600",
        });
        await app.InitializeAsync();
        var request = await MailWorkflow.SubmitAsync(app, DateTimeOffset.UtcNow, "bob@boltnut.example", "purchase-orders");

        await MailWorkflow.PublishAsync(app, new AccessRequested(request.Id, request.PartnerId, request.ResourceId, 1));

        var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
        List<OutboxMessage> outbox;
        do
        {
            await Task.Delay(50);
            outbox = await MailWorkflow.OutboxAsync(app);
        }
        while (outbox.Any(m => m.Status != OutboxStatus.Held) && DateTimeOffset.UtcNow < deadline);

        Assert.Equal(2, outbox.Count);
        Assert.All(outbox, message => Assert.Equal(OutboxStatus.Held, message.Status));
    }

    [Fact]
    public async Task DispatchLease_HeldByAnotherNode_SendsNothing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await StartAppAsync(DatabaseProvider.Sqlite, smtpPort: null, clock);
        var request = await MailWorkflow.SubmitAsync(app, clock.GetUtcNow(), "bob@boltnut.example", "purchase-orders");
        await MailWorkflow.PublishAsync(app, new AccessRequested(request.Id, request.PartnerId, request.ResourceId, 1));
        await using (var db = app.CreateDbContext())
        {
            var lease = await db.SweepLeases.SingleAsync(l => l.Name == SweepLeaseConfiguration.OutboxDispatch);
            lease.Holder = "another-node";
            lease.ExpiresAt = clock.GetUtcNow().AddSeconds(20);
            await db.SaveChangesAsync();
        }

        Assert.Equal(0, await Dispatcher(app).DispatchDueAsync(CancellationToken.None));
        Assert.All(await MailWorkflow.OutboxAsync(app), message => Assert.Equal(OutboxStatus.Pending, message.Status));

        // The other node stopped renewing: once its lease has expired, this node takes over.
        clock.Advance(TimeSpan.FromSeconds(21));
        Assert.Equal(2, await Dispatcher(app).DispatchDueAsync(CancellationToken.None));
        await using var after = app.CreateDbContext();
        Assert.Equal(Dispatcher(app).NodeId, (await after.SweepLeases.SingleAsync(l => l.Name == SweepLeaseConfiguration.OutboxDispatch)).Holder);
    }

    [Fact]
    public async Task Stop_WhenTheHostsShutdownTimeHasRunOut_DoesNotThrow_AndLeavesTheLeaseToExpire()
    {
        // Open connections (a browser's circuits) can hold a host's stop until its shutdown token fires; the lease
        // hand-back is best effort then, and a throw would fail the whole host's stop.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await StartAppAsync(DatabaseProvider.Sqlite, smtpPort: null, clock);
        var request = await MailWorkflow.SubmitAsync(app, clock.GetUtcNow(), "bob@boltnut.example", "purchase-orders");
        await MailWorkflow.PublishAsync(app, new AccessRequested(request.Id, request.PartnerId, request.ResourceId, 1));
        await Dispatcher(app).DispatchDueAsync(CancellationToken.None);

        await Dispatcher(app).StopAsync(new CancellationToken(canceled: true));

        await using var db = app.CreateDbContext();
        var lease = await db.SweepLeases.SingleAsync(l => l.Name == SweepLeaseConfiguration.OutboxDispatch);
        Assert.Equal(Dispatcher(app).NodeId, lease.Holder);
        Assert.True(lease.ExpiresAt > DateTimeOffset.UnixEpoch, "The lease was handed back although the stop had no time left.");
    }

    [Fact]
    public async Task SmtpMisconfigured_AppRefusesToStart_NamingEachSetting()
    {
        await using var app = new PartnerGateAppFactory(DatabaseProvider.Sqlite, extraSettings: new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "mail.acme.example",
            ["Smtp:Port"] = "0",
            ["Smtp:UserName"] = "relay",
            ["Smtp:Password"] = "",
        });

        var refusal = Assert.ThrowsAny<Exception>(() => app.Server);

        Assert.Contains("Smtp:Port must be between 1 and 65535", refusal.ToString(), StringComparison.Ordinal);
        Assert.Contains("Smtp:UserName and Smtp:Password are set together", refusal.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeldMail_OnceSmtpIsConfigured_IsSentThroughTheSmtpServer()
    {
        await using var smtp = await SmtpServer.StartAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await StartAppAsync(DatabaseProvider.Sqlite, smtp.Port, clock);

        // Held by an earlier run of the portal that had no SMTP server configured.
        var held = OutboxMessage.Create("alice@boltnut.example", "Your grant was revoked", "Hello Alice Bolt,\n", MailKinds.GrantRevoked, null, clock.GetUtcNow());
        held.Hold();
        await using (var db = app.CreateDbContext())
        {
            db.OutboxMessages.Add(held);
            await db.SaveChangesAsync();
        }

        Assert.Equal(1, await Dispatcher(app).DispatchDueAsync(CancellationToken.None));

        var mail = Assert.Single(smtp.Messages());
        Assert.Equal("alice@boltnut.example", mail.To.Mailboxes.Single().Address);
        Assert.Equal(OutboxStatus.Sent, Assert.Single(await MailWorkflow.OutboxAsync(app)).Status);
    }

    private static async Task<PartnerGateAppFactory> StartAppAsync(DatabaseProvider provider, int? smtpPort, FakeTimeProvider clock)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mail:BackgroundDispatch"] = "false",
            ["Smtp:PortalBaseUrl"] = PortalBaseUrl,
            ["Smtp:TimeoutSeconds"] = "5",
        };
        if (smtpPort is { } port)
        {
            settings["Smtp:Host"] = "127.0.0.1";
            settings["Smtp:Port"] = port.ToString(CultureInfo.InvariantCulture);
        }

        var app = new PartnerGateAppFactory(provider, extraSettings: settings,
            configureServices: services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        try
        {
            await app.InitializeAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private static OutboxDispatcher Dispatcher(PartnerGateAppFactory app) => app.Services.GetRequiredService<OutboxDispatcher>();

    private static void SkipUnlessAvailable(DatabaseProvider provider) =>
        Assert.SkipWhen(provider == DatabaseProvider.PostgreSql && !PartnerGateAppFactory.PostgresAvailable,
            $"PostgreSQL not configured ({PartnerGateAppFactory.PostgresVariable}); ./test.sh starts one.");

    private static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
