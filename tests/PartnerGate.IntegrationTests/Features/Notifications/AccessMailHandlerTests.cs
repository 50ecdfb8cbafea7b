using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Notifications;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Features.Notifications;

namespace PartnerGate.IntegrationTests.Features.Notifications;

/// <summary>An app of its own whose dispatcher never runs: the mail each event writes stays in the outbox to be read.</summary>
public sealed class OutboxOnlyApp() : PartnerGateAppFactory(DatabaseProvider.Sqlite, extraSettings: new Dictionary<string, string?>
{
    ["Mail:BackgroundDispatch"] = "false",
    ["Smtp:PortalBaseUrl"] = "https://partnergate.acme.example",
});

/// <summary>Who is told what for each workflow event: the right people, and nobody else.</summary>
public sealed class AccessMailHandlerTests(OutboxOnlyApp app) : IClassFixture<OutboxOnlyApp>
{
    [Fact]
    public async Task AccessRequested_TwoApproverStage_MailsBothApproversOnly()
    {
        var request = await MailWorkflow.SubmitAsync(app, DateTimeOffset.UtcNow, "alice@boltnut.example", "line-telemetry");

        var mails = await MailWorkflow.PublishAndCollectAsync(app, new AccessRequested(request.Id, request.PartnerId, request.ResourceId, 1));

        Assert.Equal(["approver2@acme.example", "approver@acme.example"], mails.Select(m => m.To));
        Assert.All(mails, mail =>
        {
            Assert.Equal(MailKinds.RequestSubmitted, mail.Kind);
            Assert.Equal(OutboxStatus.Pending, mail.Status);
            Assert.Contains("Line telemetry (telemetry.read)", mail.Subject, StringComparison.Ordinal);
            Assert.Contains("Ticket:        INC-4711", mail.Body, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task AccessRequested_AlreadyAutoApproved_MailsNoApprover()
    {
        var request = await MailWorkflow.SubmitAsync(app, DateTimeOffset.UtcNow, "bob@boltnut.example", "demand-forecast");
        await MailWorkflow.ApproveAsync(app, DateTimeOffset.UtcNow, request.Id, "approver@acme.example");

        var mails = await MailWorkflow.PublishAndCollectAsync(app, new AccessRequested(request.Id, request.PartnerId, request.ResourceId, 1));

        Assert.Empty(mails);
    }

    [Fact]
    public async Task RequestApproved_FirstOfTwoApprovals_MailsOnlyTheApproverWhoHasNotDecided()
    {
        var request = await MailWorkflow.SubmitAsync(app, DateTimeOffset.UtcNow, "bob@boltnut.example", "line-telemetry");
        Assert.Null(await MailWorkflow.ApproveAsync(app, DateTimeOffset.UtcNow, request.Id, "approver@acme.example"));
        var approverId = await UserIdAsync("approver@acme.example");

        var mails = await MailWorkflow.PublishAndCollectAsync(app, new RequestApproved(request.Id, request.PartnerId, approverId, null, 1, false));

        var mail = Assert.Single(mails);
        Assert.Equal("approver2@acme.example", mail.To);
        Assert.Equal(MailKinds.RequestAwaitingApproval, mail.Kind);
        Assert.Contains("Arne Approver approved this request; it needs 1 more approval", mail.Body, StringComparison.Ordinal);
        Assert.Contains("https://partnergate.acme.example/inbox", mail.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestApproved_Final_MailsTheRequesterTheWindowAndTheirGrants()
    {
        var now = DateTimeOffset.UtcNow;
        var request = await MailWorkflow.SubmitAsync(app, now, "bob@boltnut.example", "purchase-orders");
        var grant = (await MailWorkflow.ApproveAsync(app, now, request.Id, "approver@acme.example"))!;
        var approverId = await UserIdAsync("approver@acme.example");

        var mails = await MailWorkflow.PublishAndCollectAsync(app, new RequestApproved(request.Id, request.PartnerId, approverId, grant.Id, 1, false));

        var mail = Assert.Single(mails);
        Assert.Equal("bob@boltnut.example", mail.To);
        Assert.Equal(MailKinds.RequestApproved, mail.Kind);
        Assert.Equal($"Access approved: Purchase orders (orders.read) from {Iso(grant.NotBefore)} to {Iso(grant.NotAfter)}", mail.Subject);
        Assert.Contains("Hello Bob Nut,", mail.Body, StringComparison.Ordinal);
        Assert.Contains("https://partnergate.acme.example/grants", mail.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestDenied_MailsTheRequesterTheApproversComment()
    {
        var request = await MailWorkflow.SubmitAsync(app, DateTimeOffset.UtcNow, "bob@boltnut.example", "quality-records");
        await MailWorkflow.DenyAsync(app, DateTimeOffset.UtcNow, request.Id, "approver2@acme.example", "Use the EDI feed for quality records.");
        var approverId = await UserIdAsync("approver2@acme.example");

        var mails = await MailWorkflow.PublishAndCollectAsync(app, new RequestDenied(request.Id, request.PartnerId, approverId));

        var mail = Assert.Single(mails);
        Assert.Equal("bob@boltnut.example", mail.To);
        Assert.Equal(MailKinds.RequestDenied, mail.Kind);
        Assert.Equal("Access request denied: Quality records (quality.read)", mail.Subject);
        Assert.Contains("The approver's comment:\nUse the EDI feed for quality records.", mail.Body.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrantRevoked_ClientGrant_MailsThePartnersAdminsWithTheReason()
    {
        var now = DateTimeOffset.UtcNow;
        var request = await MailWorkflow.SubmitAsync(app, now, "bob@boltnut.example", "inventory", AccessSubject.ForClient("boltnut-erp"));
        var grant = (await MailWorkflow.ApproveAsync(app, now, request.Id, "approver@acme.example"))!;
        await MailWorkflow.RevokeAsync(app, now, grant.Id, "approver@acme.example", "Supplier contract under review.");

        var mails = await MailWorkflow.PublishAndCollectAsync(app, new GrantRevoked(grant.Id, grant.PartnerId, "Supplier contract under review."));

        var mail = Assert.Single(mails);
        Assert.Equal("alice@boltnut.example", mail.To);
        Assert.Equal(MailKinds.GrantRevoked, mail.Kind);
        Assert.Equal("Access revoked: Inventory (inventory.read)", mail.Subject);
        Assert.Contains("API client boltnut-erp", mail.Body, StringComparison.Ordinal);
        Assert.Contains("Supplier contract under review.", mail.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrantExpiringSoon_UserGrant_MailsTheGranteeWhenItEnds()
    {
        var now = DateTimeOffset.UtcNow;
        var request = await MailWorkflow.SubmitAsync(app, now, "carol@fastfreight.example", "purchase-orders");
        var grant = (await MailWorkflow.ApproveAsync(app, now, request.Id, "approver2@acme.example"))!;

        var mails = await MailWorkflow.PublishAndCollectAsync(app, new GrantExpiringSoon(grant.Id, grant.PartnerId));

        var mail = Assert.Single(mails);
        Assert.Equal("carol@fastfreight.example", mail.To);
        Assert.Equal(MailKinds.GrantExpiringSoon, mail.Kind);
        Assert.Equal(grant.PartnerId, mail.PartnerId);
        Assert.EndsWith($"ends at {Iso(grant.NotAfter)}", mail.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryPortalLinkInTheMails_OpensAPageThatExists()
    {
        // A request submitted (approvers' mail), one approved (requester, grants link), one denied (requester, requests
        // link) and a grant revoked: then every portal link in this app's outbox, whichever test wrote it, is opened.
        var now = DateTimeOffset.UtcNow;
        var approved = await MailWorkflow.SubmitAsync(app, now, "bob@boltnut.example", "purchase-orders");
        await MailWorkflow.PublishAsync(app, new AccessRequested(approved.Id, approved.PartnerId, approved.ResourceId, 1));
        var grant = (await MailWorkflow.ApproveAsync(app, now, approved.Id, "approver@acme.example"))!;
        var approverId = await UserIdAsync("approver@acme.example");
        await MailWorkflow.PublishAsync(app, new RequestApproved(approved.Id, approved.PartnerId, approverId, grant.Id, 1, false));
        var denied = await MailWorkflow.SubmitAsync(app, now, "bob@boltnut.example", "quality-records");
        await MailWorkflow.DenyAsync(app, now, denied.Id, "approver@acme.example", "Not needed.");
        await MailWorkflow.PublishAsync(app, new RequestDenied(denied.Id, denied.PartnerId, approverId));
        await MailWorkflow.RevokeAsync(app, now, grant.Id, "approver@acme.example", "Contract ended.");
        await MailWorkflow.PublishAsync(app, new GrantRevoked(grant.Id, grant.PartnerId, "Contract ended."));

        const string Base = "https://partnergate.acme.example";
        var paths = (await MailWorkflow.OutboxAsync(app))
            .SelectMany(m => System.Text.RegularExpressions.Regex.Matches(m.Body, Base + @"(/[^\s]*)").Select(match => match.Groups[1].Value))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.Contains("/grants", paths);
        Assert.Contains("/requests", paths);

        // Signed in (anonymous requests are all sent to the sign-in page, existing or not) as the partner user the
        // mails went to: a staff page may refuse Bob (403), but no link may lead nowhere (404).
        using var http = await app.SignedInClientAsync("bob@boltnut.example");
        using (var nowhere = await http.GetAsync("/no-such-page"))
        {
            Assert.Equal(System.Net.HttpStatusCode.NotFound, nowhere.StatusCode);
        }

        foreach (var path in paths)
        {
            using var response = await http.GetAsync(path);
            Assert.True(response.StatusCode != System.Net.HttpStatusCode.NotFound, $"{path} in a mail is not a page of the portal.");
        }
    }

    [Fact]
    public async Task Event_ForUnknownRequest_WritesNothingAndDoesNotThrow()
    {
        var mails = await MailWorkflow.PublishAndCollectAsync(app, new RequestDenied(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()));

        Assert.Empty(mails);
    }

    private async Task<Guid> UserIdAsync(string email)
    {
        await using var db = app.CreateDbContext();
        return db.Users.Single(u => u.Email == email).Id;
    }

    private static string Iso(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
