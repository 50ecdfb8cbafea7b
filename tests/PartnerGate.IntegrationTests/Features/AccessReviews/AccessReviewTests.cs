using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Domain.AccessReviews;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.IntegrationTests.Features.KillSwitches;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.AccessReviews;
using PartnerGate.Web.Features.Notifications;
using PartnerGate.Web.Infrastructure.Live;

namespace PartnerGate.IntegrationTests.Features.AccessReviews;

/// <summary>Access reviews end to end through the real pipeline on SQLite and PostgreSQL: start, decide, deadline, who may do what.</summary>
public sealed class AccessReviewTests(AccessReviewApps apps) : IClassFixture<AccessReviewApps>
{
    private DateTimeOffset Now => apps.Clock.GetUtcNow();

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Start_SnapshotsThePartnersLiveGrants_AuditsIt_AndQueuesMailForEachReviewer(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var orders = await app.NewClientAsync(partner);
        var inventory = await app.NewClientAsync(partner, "inventory", "inventory.read");
        var elsewhere = await app.NewClientAsync(await app.NewTestPartnerAsync());
        var (first, firstId) = await app.NewApproverAsync();
        var (second, secondId) = await app.NewApproverAsync(Roles.Administrator);

        var started = await app.StartReviewAsync(partner.Id, Now.AddDays(7), [firstId, secondId]);

        Assert.True(started.IsSuccess, started.Error?.Message);
        var review = await app.ReviewAsync(started.Value);
        Assert.Equal(AccessReviewStatus.Open, review.Status);
        Assert.Equal(partner.Name, review.TargetName);
        Assert.Equal(new[] { orders.GrantIds[0], inventory.GrantIds[0] }.Order().ToList(), review.Items.Select(i => i.GrantId).Order().ToList());
        Assert.DoesNotContain(review.Items, i => i.GrantId == elsewhere.GrantIds[0]);
        Assert.All(review.Items, i => Assert.Equal(ReviewItemOutcome.Pending, i.Outcome));
        Assert.Equal(["review.started"], await app.AuditActionsAsync(review.Id.ToString()));

        await using var db = app.CreateDbContext();
        var mail = await db.OutboxMessages.AsNoTracking().Where(m => m.Kind == MailKinds.ReviewStarted && m.Body.Contains(review.Id.ToString())).ToListAsync();
        Assert.Equal(new[] { first, second }.Order(StringComparer.Ordinal).ToList(), mail.Select(m => m.To).Order(StringComparer.Ordinal).ToList());
        Assert.All(mail, m => Assert.Contains(partner.Name, m.Subject, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Revoke_EndsTheGrantAtOnce_TokenInactiveAtIntrospection_FeedAndAuditWritten(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var revoked = await app.NewClientAsync(partner);
        var kept = await app.NewClientAsync(partner, "inventory", "inventory.read");
        var (reviewer, reviewerId) = await app.NewApproverAsync();
        var reviewId = (await app.StartReviewAsync(partner.Id, Now.AddDays(7), [reviewerId])).Value;
        var http = app.CreateClient();
        var token = await http.AccessTokenAsync(revoked, "orders.read");
        var keptToken = await http.AccessTokenAsync(kept, "inventory.read");
        Assert.True(await app.IsActiveAtIntrospectionAsync(token));

        var revocation = await app.DecideAsync(reviewId, await app.ItemOfAsync(reviewId, revoked.GrantIds[0]), ReviewVerdict.Revoke, "Contract with this client ended.", reviewer);
        var keeping = await app.DecideAsync(reviewId, await app.ItemOfAsync(reviewId, kept.GrantIds[0]), ReviewVerdict.Keep, "Still needed for stock levels.", reviewer);

        Assert.True(revocation.IsSuccess, revocation.Error?.Message);
        Assert.True(keeping.IsSuccess, keeping.Error?.Message);
        Assert.False(await app.IsActiveAtIntrospectionAsync(token));
        Assert.True(await app.IsActiveAtIntrospectionAsync(keptToken));
        Assert.Equal("Revoked", await app.GrantStatusAsync(revoked.GrantIds[0]));
        Assert.Equal("Active", await app.GrantStatusAsync(kept.GrantIds[0]));
        Assert.Equal(1, await app.SecurityEventsAsync(SecurityEventKind.GrantRevoked, revoked.GrantIds[0].ToString()));
        Assert.Contains(reviewId.ToString(), Assert.Single(await app.AuditDetailsAsync("grant.revoked", revoked.GrantIds[0].ToString())), StringComparison.Ordinal);

        // Every item decided: the review completed with the last decision.
        var review = await app.ReviewAsync(reviewId);
        Assert.Equal(AccessReviewStatus.Completed, review.Status);
        Assert.Equal("Contract with this client ended.", review.Items.Single(i => i.GrantId == revoked.GrantIds[0]).Comment);
        Assert.Equal(["review.started", "review.grant_revoked", "review.grant_kept", "review.completed"], await app.AuditActionsAsync(reviewId.ToString()));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task TwoReviewersAtTheSameMoment_ExactlyOneOutcome_OtherSeesAlreadyDecided(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var client = await app.NewClientAsync(partner);
        await app.NewClientAsync(partner, "inventory", "inventory.read");
        var (one, oneId) = await app.NewApproverAsync();
        var (two, twoId) = await app.NewApproverAsync();
        var reviewId = (await app.StartReviewAsync(partner.Id, Now.AddDays(7), [oneId, twoId])).Value;
        var itemId = await app.ItemOfAsync(reviewId, client.GrantIds[0]);

        var keep = app.DecideAsync(reviewId, itemId, ReviewVerdict.Keep, "Needed for the Q1 orders.", one);
        var revoke = app.DecideAsync(reviewId, itemId, ReviewVerdict.Revoke, "Not needed any more.", two);
        await Task.WhenAll(keep, revoke);
        Result[] results = [await keep, await revoke];

        Assert.Single(results, r => r.IsSuccess);
        var loser = Assert.Single(results, r => !r.IsSuccess);
        Assert.Equal(ErrorKind.Conflict, loser.Error!.Kind);
        Assert.Contains("already decided", loser.Error.Message, StringComparison.Ordinal);
        var item = (await app.ReviewAsync(reviewId)).Items.Single(i => i.Id == itemId);
        var grantStatus = await app.GrantStatusAsync(client.GrantIds[0]);
        Assert.Equal(item.Outcome == ReviewItemOutcome.Revoked ? "Revoked" : "Active", grantStatus);
        Assert.Single(await app.AuditDetailsAsync(item.Outcome == ReviewItemOutcome.Revoked ? "review.grant_revoked" : "review.grant_kept", reviewId.ToString()));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Deadline_SweepRevokesWhatIsUndecided_WithAReasonNamingTheReview_AndCompletesIt(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var undecided = await app.NewClientAsync(partner, duration: TimeSpan.FromDays(5));
        var kept = await app.NewClientAsync(partner, "inventory", "inventory.read", TimeSpan.FromDays(5));
        var (reviewer, reviewerId) = await app.NewApproverAsync();
        var reviewId = (await app.StartReviewAsync(partner.Id, Now.AddHours(30), [reviewerId])).Value;
        await app.DecideAsync(reviewId, await app.ItemOfAsync(reviewId, kept.GrantIds[0]), ReviewVerdict.Keep, "Needed.", reviewer);

        // A day before: one reminder for the undecided item; nothing revoked yet.
        apps.Clock.Advance(TimeSpan.FromHours(7));
        Assert.True(await app.SweepAsync());
        Assert.NotNull((await app.ReviewAsync(reviewId)).ReminderSentAt);
        Assert.Equal("Active", await app.GrantStatusAsync(undecided.GrantIds[0]));
        await using (var db = app.CreateDbContext())
        {
            Assert.Single(await db.OutboxMessages.Where(m => m.Kind == MailKinds.ReviewReminder && m.To == reviewer).ToListAsync());
        }

        apps.Clock.Advance(TimeSpan.FromHours(23));
        Assert.True(await app.SweepAsync());

        var review = await app.ReviewAsync(reviewId);
        Assert.Equal(AccessReviewStatus.Completed, review.Status);
        Assert.Equal(ReviewItemOutcome.AutoRevoked, review.Items.Single(i => i.GrantId == undecided.GrantIds[0]).Outcome);
        Assert.Equal(ReviewItemOutcome.Kept, review.Items.Single(i => i.GrantId == kept.GrantIds[0]).Outcome);
        Assert.Equal("Revoked", await app.GrantStatusAsync(undecided.GrantIds[0]));
        Assert.Equal("Active", await app.GrantStatusAsync(kept.GrantIds[0]));
        // The revoked grant backs no token any more (the introspection of a live token is the revoke test's); the kept one does.
        var http = app.CreateClient();
        using (var refused = await http.RequestTokenAsync(undecided.ClientId, undecided.Secret, "orders.read"))
        {
            Assert.False(refused.IsSuccessStatusCode);
        }

        Assert.True(await app.IsActiveAtIntrospectionAsync(await http.AccessTokenAsync(kept, "inventory.read")));
        await using (var db = app.CreateDbContext())
        {
            var grant = await db.Grants.AsNoTracking().SingleAsync(g => g.Id == undecided.GrantIds[0]);
            Assert.Contains($"access review of {partner.Name}", grant.StatusReason, StringComparison.Ordinal);
        }

        Assert.Equal(1, await app.SecurityEventsAsync(SecurityEventKind.GrantRevoked, undecided.GrantIds[0].ToString()));
        Assert.Equal(["review.started", "review.grant_kept", "review.auto_revoked", "review.completed"], await app.AuditActionsAsync(reviewId.ToString()));
        var auditActor = await AuditActorOfAsync(app, reviewId, "review.auto_revoked");
        Assert.Equal("system", auditActor);

        // A second sweep finds nothing more to do.
        Assert.True(await app.SweepAsync());
        Assert.Single(await app.AuditDetailsAsync("review.completed", reviewId.ToString()));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task GrantEndedMeanwhile_NeedsNoDecision_AndIsShownAsEnded(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var client = await app.NewClientAsync(partner);
        await app.NewClientAsync(partner, "inventory", "inventory.read");
        var (reviewer, reviewerId) = await app.NewApproverAsync();
        var reviewId = (await app.StartReviewAsync(partner.Id, Now.AddDays(7), [reviewerId])).Value;
        Assert.True((await app.RevokeAsync(client.GrantIds[0])).IsSuccess);

        var decided = await app.DecideAsync(reviewId, await app.ItemOfAsync(reviewId, client.GrantIds[0]), ReviewVerdict.Keep, "Fine.", reviewer);
        var details = await app.SendAsync<Result<AccessReviewDetails>>(new GetAccessReviewQuery(reviewId), reviewer);

        Assert.Equal("review.grant_ended", decided.Error!.Code);
        var item = details.Value.Items.Single(i => i.GrantId == client.GrantIds[0]);
        Assert.True(item.GrantEnded);
        Assert.False(item.NeedsDecision);
        Assert.Equal((1, 2), (details.Value.Progress.Settled, details.Value.Progress.Total));
        Assert.True(details.Value.CanDecide);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task StaffWhoAreNotReviewers_CannotDecide_OnlyAnAdministratorMayView_PartnersSeeNothing(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var client = await app.NewClientAsync(partner);
        var (_, reviewerId) = await app.NewApproverAsync();
        var (outsider, _) = await app.NewApproverAsync();
        var reviewId = (await app.StartReviewAsync(partner.Id, Now.AddDays(7), [reviewerId])).Value;
        var itemId = await app.ItemOfAsync(reviewId, client.GrantIds[0]);

        var byOutsider = await app.DecideAsync(reviewId, itemId, ReviewVerdict.Revoke, "Looks wrong to me.", outsider);
        var byAdministrator = await app.DecideAsync(reviewId, itemId, ReviewVerdict.Revoke, "Looks wrong to me.", AccessReviewWorld.Administrator);
        var byPartnerAdmin = await app.DecideAsync(reviewId, itemId, ReviewVerdict.Keep, "We still need it.", partner.AdminEmail);
        var outsiderView = await app.SendAsync<Result<AccessReviewDetails>>(new GetAccessReviewQuery(reviewId), outsider);
        var administratorView = await app.SendAsync<Result<AccessReviewDetails>>(new GetAccessReviewQuery(reviewId), AccessReviewWorld.Administrator);
        var partnerView = await app.SendAsync<Result<AccessReviewDetails>>(new GetAccessReviewQuery(reviewId), partner.AdminEmail);
        var partnerList = await app.SendAsync<Result<IReadOnlyList<AccessReviewSummary>>>(new ListAccessReviewsQuery(), partner.AdminEmail);
        var outsiderList = await app.SendAsync<Result<IReadOnlyList<AccessReviewSummary>>>(new ListAccessReviewsQuery(), outsider);
        var partnerStart = await app.StartReviewAsync(partner.Id, Now.AddDays(7), [reviewerId], partner.AdminEmail);

        Assert.Equal(ErrorKind.NotFound, byOutsider.Error!.Kind);
        Assert.Equal("review.not_a_reviewer", byAdministrator.Error!.Code);
        Assert.Equal(ErrorKind.Forbidden, byPartnerAdmin.Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, outsiderView.Error!.Kind);
        Assert.True(administratorView.IsSuccess);
        Assert.False(administratorView.Value.CanDecide);
        Assert.Equal(ErrorKind.Forbidden, partnerView.Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, partnerList.Error!.Kind);
        Assert.DoesNotContain(outsiderList.Value, r => r.Id == reviewId);
        Assert.Equal(ErrorKind.Forbidden, partnerStart.Error!.Kind);
        Assert.Equal(ReviewItemOutcome.Pending, (await app.ReviewAsync(reviewId)).Items.Single().Outcome);
        Assert.Equal("Active", await app.GrantStatusAsync(client.GrantIds[0]));
        Assert.Equal(["review.started"], await app.AuditActionsAsync(reviewId.ToString()));
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task InvalidInput_IsRefusedWithAMessage_AndChangesNothing(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var client = await app.NewClientAsync(partner);
        var (reviewer, reviewerId) = await app.NewApproverAsync();
        var partnerUserId = await app.UserIdAsync(partner.AdminEmail);
        await using (var db = app.CreateDbContext())
        {
            Assert.Equal(0, await db.AccessReviews.CountAsync(r => r.TargetId == partner.Id));
        }

        Result<Guid>[] refusals =
        [
            await app.StartReviewAsync(partner.Id, Now.AddMinutes(10), [reviewerId]),
            await app.StartReviewAsync(partner.Id, Now.AddDays(120), [reviewerId]),
            await app.StartReviewAsync(partner.Id, Now.AddDays(7), []),
            await app.StartReviewAsync(partner.Id, Now.AddDays(7), [partnerUserId]),
            await app.StartReviewAsync(partner.Id, Now.AddDays(7), [Guid.NewGuid()]),
            await app.StartReviewAsync(Guid.NewGuid(), Now.AddDays(7), [reviewerId]),
            await app.StartReviewAsync((await app.NewTestPartnerAsync()).Id, Now.AddDays(7), [reviewerId]),
        ];

        Assert.All(refusals, r => Assert.False(r.IsSuccess));
        Assert.All(refusals, r => Assert.False(string.IsNullOrWhiteSpace(r.Error!.Message)));
        Assert.Equal(
            [ErrorKind.Validation, ErrorKind.Validation, ErrorKind.Validation, ErrorKind.Validation, ErrorKind.Validation, ErrorKind.NotFound, ErrorKind.Validation],
            refusals.Select(r => r.Error!.Kind).ToArray());
        await using (var db = app.CreateDbContext())
        {
            Assert.Equal(0, await db.AccessReviews.CountAsync(r => r.TargetId == partner.Id));
            Assert.Equal(0, await db.AuditEvents.CountAsync(e => e.Action == "review.started" && e.PartnerId == partner.Id));
        }

        var reviewId = (await app.StartReviewAsync(partner.Id, Now.AddDays(7), [reviewerId])).Value;
        var itemId = await app.ItemOfAsync(reviewId, client.GrantIds[0]);
        var noComment = await app.DecideAsync(reviewId, itemId, ReviewVerdict.Revoke, "  ", reviewer);
        var tooLong = await app.DecideAsync(reviewId, itemId, ReviewVerdict.Revoke, new string('x', 1001), reviewer);
        var unknownItem = await app.DecideAsync(reviewId, Guid.NewGuid(), ReviewVerdict.Revoke, "Gone.", reviewer);

        Assert.Equal(ErrorKind.Validation, noComment.Error!.Kind);
        Assert.Equal(ErrorKind.Validation, tooLong.Error!.Kind);
        Assert.Equal(ErrorKind.NotFound, unknownItem.Error!.Kind);
        Assert.Equal(ReviewItemOutcome.Pending, (await app.ReviewAsync(reviewId)).Items.Single().Outcome);
        Assert.Equal("Active", await app.GrantStatusAsync(client.GrantIds[0]));
        Assert.Equal(["review.started"], await app.AuditActionsAsync(reviewId.ToString()));
    }

    [Fact]
    public async Task Decision_GoesOutLive_NamingItsReview_SoOpenReviewPagesReload_EvenWhenTheGrantIsKept()
    {
        var app = apps.Sqlite;
        var partner = await app.NewTestPartnerAsync();
        var client = await app.NewClientAsync(partner);
        await app.NewClientAsync(partner, "inventory", "inventory.read");
        var (reviewer, reviewerId) = await app.NewApproverAsync();
        var reviewId = (await app.StartReviewAsync(partner.Id, Now.AddDays(7), [reviewerId])).Value;

        var seen = await LiveUpdatesDuringAsync(app, async () =>
            Assert.True((await app.DecideAsync(reviewId, await app.ItemOfAsync(reviewId, client.GrantIds[0]), ReviewVerdict.Keep, "Needed.", reviewer)).IsSuccess));

        Assert.Contains(seen, u => u.Kind == LiveUpdateKind.AccessReviewChanged && u.ReviewId == reviewId);
        // Reviews are staff business: the update names no partner, so partner views have nothing to reload for.
        Assert.All(seen.Where(u => u.Kind == LiveUpdateKind.AccessReviewChanged), u => Assert.Equal(Guid.Empty, u.PartnerId));
        Assert.Equal(AccessReviewStatus.Open, (await app.ReviewAsync(reviewId)).Status);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task Deadline_SweepsAutoRevocationAndCompletion_GoOutLive_NamingTheReview_AfterCommit(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var undecided = await app.NewClientAsync(partner, duration: TimeSpan.FromDays(5));
        var (_, reviewerId) = await app.NewApproverAsync();
        var reviewId = (await app.StartReviewAsync(partner.Id, Now.AddHours(2), [reviewerId])).Value;
        apps.Clock.Advance(TimeSpan.FromHours(3));

        // What a page reloading on the update would read: the committed review, completed, its grant revoked.
        var readOnUpdate = new List<(AccessReviewStatus Status, string Grant)>();
        var seen = await LiveUpdatesDuringAsync(app, async () => Assert.True(await app.SweepAsync()), update =>
        {
            if (update.Kind == LiveUpdateKind.AccessReviewChanged && update.ReviewId == reviewId)
            {
                readOnUpdate.Add((app.ReviewAsync(reviewId).GetAwaiter().GetResult().Status, app.GrantStatusAsync(undecided.GrantIds[0]).GetAwaiter().GetResult()));
            }
        });

        Assert.Contains(seen, u => u.Kind == LiveUpdateKind.AccessReviewChanged && u.ReviewId == reviewId);
        Assert.Contains(seen, u => u.Kind == LiveUpdateKind.GrantChanged && u.GrantId == undecided.GrantIds[0]);
        Assert.Equal([(AccessReviewStatus.Completed, "Revoked")], readOnUpdate);
        Assert.Equal(ReviewItemOutcome.AutoRevoked, (await app.ReviewAsync(reviewId)).Items.Single().Outcome);

        // Nothing changed on a second sweep: nothing goes out for this review.
        var again = await LiveUpdatesDuringAsync(app, async () => Assert.True(await app.SweepAsync()));
        Assert.DoesNotContain(again, u => u.ReviewId == reviewId);
    }

    [Theory]
    [MemberData(nameof(Apps.Providers), MemberType = typeof(Apps))]
    public async Task GrantsAllEndedMeanwhile_SweepCompletesTheReview_AndThatGoesOutLive(DatabaseProvider provider)
    {
        var app = apps.For(provider);
        var partner = await app.NewTestPartnerAsync();
        var client = await app.NewClientAsync(partner);
        var (_, reviewerId) = await app.NewApproverAsync();
        var reviewId = (await app.StartReviewAsync(partner.Id, Now.AddDays(7), [reviewerId])).Value;
        Assert.True((await app.RevokeAsync(client.GrantIds[0])).IsSuccess);
        Assert.Equal(AccessReviewStatus.Open, (await app.ReviewAsync(reviewId)).Status);

        // No grant changes in this sweep: only the review's own update tells an open page that it completed.
        var seen = await LiveUpdatesDuringAsync(app, async () => Assert.True(await app.SweepAsync()));

        Assert.Equal(AccessReviewStatus.Completed, (await app.ReviewAsync(reviewId)).Status);
        Assert.Contains(seen, u => u.Kind == LiveUpdateKind.AccessReviewChanged && u.ReviewId == reviewId);
        Assert.DoesNotContain(seen, u => u.GrantId == client.GrantIds[0]);
    }

    /// <summary>The live updates the app's hub published while <paramref name="act"/> ran (an observer sees each as it goes out).</summary>
    private static async Task<List<LiveUpdate>> LiveUpdatesDuringAsync(PartnerGateAppFactory app, Func<Task> act, Action<LiveUpdate>? observe = null)
    {
        var hub = app.Services.GetRequiredService<LiveUpdateHub>();
        var seen = new List<LiveUpdate>();
        void Collect(LiveUpdate update)
        {
            observe?.Invoke(update);
            lock (seen)
            {
                seen.Add(update);
            }
        }

        hub.Changed += Collect;
        try
        {
            await act();
        }
        finally
        {
            hub.Changed -= Collect;
        }

        lock (seen)
        {
            return [.. seen];
        }
    }

    private static async Task<string?> AuditActorOfAsync(PartnerGateAppFactory app, Guid reviewId, string action)
    {
        await using var db = app.CreateDbContext();
        return await db.AuditEvents.Where(e => e.TargetId == reviewId.ToString() && e.Action == action).Select(e => e.ActorId).FirstAsync();
    }
}
