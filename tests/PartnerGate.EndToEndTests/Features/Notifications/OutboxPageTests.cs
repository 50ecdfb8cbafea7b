using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Domain.Notifications;
using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.EndToEndTests.Pages;
using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.Notifications;

public sealed class OutboxPageTests(PortalFixture portal)
{
    [Fact]
    public async Task Administrator_WithoutSmtp_SeesHeldAndFailedMail_ReadsABody_FiltersByStatus()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        var held = $"New access request {marker}: BoltNut Supply asks for Purchase orders";
        var failed = $"Access revoked {marker}: Inventory";
        await ArrangeAsync(held, failed);
        var (page, _) = await portal.SignedInAsync("admin@acme.example");
        var outbox = new OutboxPage(page);

        await outbox.OpenAsync();

        await Expect(outbox.NotConfiguredNotice).ToBeVisibleAsync();
        await Expect(outbox.Row(held)).ToContainTextAsync("Held");
        await Expect(outbox.Row(failed)).ToContainTextAsync("Failed");
        await Expect(outbox.Row(failed)).ToContainTextAsync("8 attempts");
        await Expect(outbox.Row(failed)).ToContainTextAsync("SMTP 550 RecipientNotAccepted");

        await outbox.ShowBodyAsync($"approver-{marker}@acme.example");
        await Expect(outbox.Body).ToContainTextAsync("Weekly reconciliation with our own ERP system.");
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "admin-outbox.png"), FullPage = true });

        await outbox.FilterAsync("Failed");
        await Expect(outbox.Row(failed)).ToBeVisibleAsync();
        await Expect(outbox.Row(held)).ToHaveCountAsync(0);
    }

    private async Task ArrangeAsync(string heldSubject, string failedSubject)
    {
        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContextAsync();
        var now = DateTimeOffset.UtcNow;
        var marker = heldSubject.Split(' ')[3].TrimEnd(':');
        var heldMessage = OutboxMessage.Create($"approver-{marker}@acme.example", heldSubject,
            "Hello Arne Approver,\n\nJustification: Weekly reconciliation with our own ERP system.\n", "request.submitted", null, now);
        heldMessage.Hold();
        var failedMessage = OutboxMessage.Create($"alice-{marker}@boltnut.example", failedSubject, "Hello Alice Bolt,\n", "grant.revoked", null, now.AddSeconds(1));
        for (var attempt = 0; attempt < OutboxMessage.MaxAttempts; attempt++)
        {
            failedMessage.MarkFailed("SMTP 550 RecipientNotAccepted: mailbox unavailable", now);
        }

        db.OutboxMessages.AddRange(heldMessage, failedMessage);
        await db.SaveChangesAsync();
    }
}
