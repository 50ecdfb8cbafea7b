using System.Globalization;
using System.Text;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.AccessReviews;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Notifications;
using PartnerGate.Domain.Resources;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Features.AccessReviews;
using PartnerGate.Web.Infrastructure.Mail;

namespace PartnerGate.Web.Features.Notifications;

/// <summary>What a mail is about; stored on the outbox message for filtering in the portal.</summary>
public static class MailKinds
{
    public const string RequestSubmitted = "request.submitted";
    public const string RequestAwaitingApproval = "request.awaiting_approval";
    public const string RequestApproved = "request.approved";
    public const string RequestDenied = "request.denied";
    public const string GrantRevoked = "grant.revoked";
    public const string GrantExpiringSoon = "grant.expiring_soon";
    public const string ReviewStarted = "review.started";
    public const string ReviewReminder = "review.reminder";
}

/// <summary>
/// Turns committed workflow events into mail: it writes outbox messages (one per recipient) and wakes the
/// dispatcher, which sends them. Runs after the change committed, in its own short SaveChanges, so a mail
/// server that is down never blocks or undoes a decision. Bodies are plain text with UTC ISO-8601 times
/// and hold no tokens or secrets.
/// </summary>
public sealed partial class AccessMailHandler(
    IDbContextFactory<PartnerGateDbContext> contextFactory,
    IOptionsMonitor<SmtpOptions> smtpOptions,
    OutboxSignal signal,
    TimeProvider clock,
    ILogger<AccessMailHandler> logger) :
    INotificationHandler<AccessRequested>,
    INotificationHandler<RequestApproved>,
    INotificationHandler<RequestDenied>,
    INotificationHandler<GrantRevoked>,
    INotificationHandler<GrantExpiringSoon>,
    INotificationHandler<AccessReviewStarted>,
    INotificationHandler<AccessReviewReminderDue>
{
    public ValueTask Handle(AccessRequested notification, CancellationToken cancellationToken) =>
        QueueAsync(nameof(AccessRequested), notification.PartnerId, db => ComposeRequestedAsync(db, notification.RequestId));

    public ValueTask Handle(RequestApproved notification, CancellationToken cancellationToken) =>
        QueueAsync(nameof(RequestApproved), notification.PartnerId, db => notification.GrantId is { } grantId
            ? ComposeApprovedAsync(db, notification.RequestId, grantId)
            : ComposeStageApprovedAsync(db, notification.RequestId, notification.ApproverId));

    public ValueTask Handle(RequestDenied notification, CancellationToken cancellationToken) =>
        QueueAsync(nameof(RequestDenied), notification.PartnerId, db => ComposeDeniedAsync(db, notification.RequestId));

    public ValueTask Handle(GrantRevoked notification, CancellationToken cancellationToken) =>
        QueueAsync(nameof(GrantRevoked), notification.PartnerId, db => ComposeRevokedAsync(db, notification.GrantId, notification.Reason));

    public ValueTask Handle(GrantExpiringSoon notification, CancellationToken cancellationToken) =>
        QueueAsync(nameof(GrantExpiringSoon), notification.PartnerId, db => ComposeExpiringAsync(db, notification.GrantId));

    public ValueTask Handle(AccessReviewStarted notification, CancellationToken cancellationToken) =>
        QueueAsync(nameof(AccessReviewStarted), null, db => ComposeReviewAsync(db, notification.ReviewId, reminder: false));

    public ValueTask Handle(AccessReviewReminderDue notification, CancellationToken cancellationToken) =>
        QueueAsync(nameof(AccessReviewReminderDue), null, db => ComposeReviewAsync(db, notification.ReviewId, reminder: true));

    /// <summary>
    /// Composes and stores the mails. The caller's token is ignored on purpose: the change this mail reports
    /// has committed, and a caller that stops waiting (a closed browser tab) must not lose its mail.
    /// Failures are logged, not thrown: the decision stands, and failing the command that made it now
    /// would tell its user something went wrong when it did not.
    /// </summary>
    private async ValueTask QueueAsync(string eventName, Guid? partnerId, Func<PartnerGateDbContext, Task<IReadOnlyList<Mail>>> compose)
    {
        try
        {
            await using var db = await contextFactory.CreateDbContextAsync(CancellationToken.None);
            var mails = await compose(db);
            if (mails.Count == 0)
            {
                LogNoRecipients(eventName);
                return;
            }

            var now = clock.GetUtcNow();
            db.OutboxMessages.AddRange(mails.Select(m => OutboxMessage.Create(m.To, MailAddressing.Fit(m.Subject), m.Body, m.Kind, partnerId, now)));
            await db.SaveChangesAsync(CancellationToken.None);
            signal.Poke();
            LogQueued(mails.Count, eventName);
        }
        catch (Exception exception)
        {
            LogNotQueued(exception, eventName);
        }
    }

    private async Task<IReadOnlyList<Mail>> ComposeRequestedAsync(PartnerGateDbContext db, Guid requestId)
    {
        var facts = await LoadRequestAsync(db, requestId);
        if (facts is not { Request.Status: AccessRequestStatus.Pending } || CurrentStage(facts) is not { } stage)
        {
            // Decided already (auto-approval, or an approver was quicker than this mail): nothing to ask anyone.
            return [];
        }

        var request = facts.Request;
        var approvers = await StaffInRoleAsync(db, stage.ApproverRole, exclude: [request.RequestedByUserId]);
        var subject = $"New access request: {facts.PartnerName} asks for {facts.Resource.DisplayName} ({Scopes(request.Scopes)}) " +
            $"from {Iso(request.NotBefore)} for {Durations.Describe(request.Duration)}";
        return approvers.Select(approver => new Mail(approver.Email, subject, MailKinds.RequestSubmitted, Body(approver, body =>
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"{facts.RequesterName} of {facts.PartnerName} asks for time-boxed access and waits for a decision.");
            body.AppendLine();
            AppendRequest(body, facts);
            AppendDecideFooter(body, request);
        }, ApproverFooter))).ToList();
    }

    private async Task<IReadOnlyList<Mail>> ComposeStageApprovedAsync(PartnerGateDbContext db, Guid requestId, Guid approverId)
    {
        var facts = await LoadRequestAsync(db, requestId);
        if (facts is not { Request.Status: AccessRequestStatus.Pending } || CurrentStage(facts) is not { } stage)
        {
            return [];
        }

        var request = facts.Request;
        var decided = request.Decisions.Select(d => d.ApproverId).Append(request.RequestedByUserId).ToList();
        var approvers = await StaffInRoleAsync(db, stage.ApproverRole, exclude: decided);
        var approvedBy = request.Decisions.LastOrDefault(d => d.ApproverId == approverId)?.ApproverName ?? "An approver";
        var approvalsAtStage = request.Decisions.Count(d => d.Stage == stage.Order && d.Outcome == DecisionOutcome.Approved);
        var missing = Math.Max(1, stage.RequiredApprovals - approvalsAtStage);
        var subject = $"Access request awaiting your approval: {facts.PartnerName} asks for {facts.Resource.DisplayName} ({Scopes(request.Scopes)})";
        return approvers.Select(approver => new Mail(approver.Email, subject, MailKinds.RequestAwaitingApproval, Body(approver, body =>
        {
            body.AppendLine(CultureInfo.InvariantCulture,
                $"{approvedBy} approved this request; it needs {missing} more approval{(missing == 1 ? string.Empty : "s")} from a different approver before access is granted.");
            body.AppendLine();
            AppendRequest(body, facts);
            AppendDecideFooter(body, request);
        }, ApproverFooter))).ToList();
    }

    private const string ApproverFooter = "You receive this mail because you approve access requests in PartnerGate.";

    /// <summary>The deadline and the way to the inbox, as every mail to approvers ends.</summary>
    private void AppendDecideFooter(StringBuilder body, AccessRequest request)
    {
        body.AppendLine(CultureInfo.InvariantCulture, $"Decide by:     {Iso(request.DecideBy)}");
        body.AppendLine();
        body.AppendLine(CultureInfo.InvariantCulture, $"Decide in your approval inbox: {Link("/inbox")}");
    }

    /// <summary>
    /// To each reviewer of an open review: what to review, by when, and the link. Reviewers are staff, so the mail is not
    /// filed under a partner (a resource review spans partners). The reminder goes only while items are undecided.
    /// </summary>
    private async Task<IReadOnlyList<Mail>> ComposeReviewAsync(PartnerGateDbContext db, Guid reviewId, bool reminder)
    {
        var review = await db.AccessReviews.AsNoTracking().Include(r => r.Items).Include(r => r.Reviewers).AsSplitQuery()
            .SingleOrDefaultAsync(r => r.Id == reviewId);
        if (review is not { Status: AccessReviewStatus.Open })
        {
            return [];
        }

        var undecided = review.Items.Count(i => i.Outcome == ReviewItemOutcome.Pending);
        if (reminder && undecided == 0)
        {
            return [];
        }

        var reviewerIds = review.Reviewers.Select(r => r.UserId).ToList();
        var reviewers = Recipients(await db.Users.AsNoTracking().Where(u => reviewerIds.Contains(u.Id) && u.PartnerId == null && u.Email != null).ToListAsync());
        var what = review.Kind == AccessReviewKind.Partner ? $"the grants of {review.TargetName}" : $"the grants on {review.TargetName}";
        var subject = reminder
            ? $"Access review due {Iso(review.Deadline)}: {undecided} grant{(undecided == 1 ? string.Empty : "s")} of {review.TargetName} still undecided"
            : $"Access review assigned to you: {what}, due {Iso(review.Deadline)}";
        return reviewers.Select(reviewer => new Mail(reviewer.Email, subject, reminder ? MailKinds.ReviewReminder : MailKinds.ReviewStarted, Body(reviewer, body =>
        {
            if (reminder)
            {
                body.AppendLine(CultureInfo.InvariantCulture, $"The access review of {what} ends in less than a day, and {undecided} of its {review.Items.Count} grants are still undecided.");
            }
            else
            {
                body.AppendLine(CultureInfo.InvariantCulture, $"{review.StartedByName} asks you to review {what}: keep or revoke each grant, with a comment.");
            }

            body.AppendLine();
            body.AppendLine(CultureInfo.InvariantCulture, $"Grants:        {review.Items.Count} ({undecided} undecided)");
            body.AppendLine(CultureInfo.InvariantCulture, $"Deadline:      {Iso(review.Deadline)}");
            body.AppendLine(CultureInfo.InvariantCulture, $"Reviewers:     {string.Join(", ", review.Reviewers.Select(r => r.DisplayName))}");
            body.AppendLine();
            body.AppendLine("Every grant still undecided at the deadline is revoked automatically.");
            body.AppendLine();
            body.AppendLine(CultureInfo.InvariantCulture, $"Review it: {Link($"/access-reviews/{review.Id}")}");
        }, ReviewerFooter))).ToList();
    }

    private const string ReviewerFooter = "You receive this mail because an administrator made you a reviewer of this access review in PartnerGate.";

    private async Task<IReadOnlyList<Mail>> ComposeApprovedAsync(PartnerGateDbContext db, Guid requestId, Guid grantId)
    {
        var facts = await LoadRequestAsync(db, requestId);
        var grant = await db.Grants.AsNoTracking().SingleOrDefaultAsync(g => g.Id == grantId);
        if (facts is null || grant is null || await UserAsync(db, facts.Request.RequestedByUserId) is not { } requester)
        {
            return [];
        }

        var subject = $"Access approved: {facts.Resource.DisplayName} ({Scopes(grant.Scopes)}) from {Iso(grant.NotBefore)} to {Iso(grant.NotAfter)}";
        return [new Mail(requester.Email, subject, MailKinds.RequestApproved, Body(requester, body =>
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Your request for {facts.Resource.DisplayName} is approved{(grant.AutoApproved ? " automatically, as its policy allows" : string.Empty)}.");
            body.AppendLine();
            AppendGrant(body, grant, facts.Resource);
            body.AppendLine();
            body.AppendLine(CultureInfo.InvariantCulture, $"See your grants: {Link("/grants")}");
        }))];
    }

    private async Task<IReadOnlyList<Mail>> ComposeDeniedAsync(PartnerGateDbContext db, Guid requestId)
    {
        var facts = await LoadRequestAsync(db, requestId);
        if (facts is null || await UserAsync(db, facts.Request.RequestedByUserId) is not { } requester)
        {
            return [];
        }

        var comment = facts.Request.Decisions.Where(d => d.Outcome == DecisionOutcome.Denied).OrderBy(d => d.DecidedAt).LastOrDefault()?.Comment;
        var subject = $"Access request denied: {facts.Resource.DisplayName} ({Scopes(facts.Request.Scopes)})";
        return [new Mail(requester.Email, subject, MailKinds.RequestDenied, Body(requester, body =>
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Your request for {facts.Resource.DisplayName} was denied.");
            body.AppendLine();
            AppendRequest(body, facts);
            body.AppendLine();
            body.AppendLine("The approver's comment:");
            body.AppendLine(string.IsNullOrWhiteSpace(comment) ? "(none)" : comment);
            body.AppendLine();
            body.AppendLine(CultureInfo.InvariantCulture, $"See your requests: {Link("/requests")}");
        }))];
    }

    private async Task<IReadOnlyList<Mail>> ComposeRevokedAsync(PartnerGateDbContext db, Guid grantId, string reason)
    {
        if (await LoadGrantAsync(db, grantId) is not ({ } grant, { } resource))
        {
            return [];
        }

        var grantees = await GranteesAsync(db, grant);
        var subject = $"Access revoked: {resource.DisplayName} ({Scopes(grant.Scopes)})";
        return grantees.Select(grantee => new Mail(grantee.Email, subject, MailKinds.GrantRevoked, Body(grantee, body =>
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Access to {resource.DisplayName} was revoked{(grant.EndedAt is { } ended ? $" at {Iso(ended)}" : string.Empty)}; tokens issued for it no longer work.");
            body.AppendLine();
            AppendGrant(body, grant, resource);
            body.AppendLine();
            body.AppendLine("Reason:");
            body.AppendLine(string.IsNullOrWhiteSpace(reason) ? "(none given)" : reason.Trim());
            body.AppendLine();
            body.AppendLine(CultureInfo.InvariantCulture, $"See your grants: {Link("/grants")}");
        }))).ToList();
    }

    private async Task<IReadOnlyList<Mail>> ComposeExpiringAsync(PartnerGateDbContext db, Guid grantId)
    {
        if (await LoadGrantAsync(db, grantId) is not ({ } grant, { } resource))
        {
            return [];
        }

        var grantees = await GranteesAsync(db, grant);
        var subject = $"Access ends soon: {resource.DisplayName} ({Scopes(grant.Scopes)}) ends at {Iso(grant.NotAfter)}";
        return grantees.Select(grantee => new Mail(grantee.Email, subject, MailKinds.GrantExpiringSoon, Body(grantee, body =>
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Access to {resource.DisplayName} ends at {Iso(grant.NotAfter)}. To keep working, request access again before then.");
            body.AppendLine();
            AppendGrant(body, grant, resource);
            body.AppendLine();
            body.AppendLine(CultureInfo.InvariantCulture, $"See your grants: {Link("/grants")}");
        }))).ToList();
    }

    private static async Task<RequestFacts?> LoadRequestAsync(PartnerGateDbContext db, Guid requestId)
    {
        var request = await db.AccessRequests.AsNoTracking().Include(r => r.Decisions).SingleOrDefaultAsync(r => r.Id == requestId);
        if (request is null)
        {
            return null;
        }

        var resource = await db.Resources.AsNoTracking().SingleAsync(r => r.Id == request.ResourceId);
        var partnerName = await db.Partners.Where(p => p.Id == request.PartnerId).Select(p => p.Name).SingleAsync();
        var requesterName = await db.Users.Where(u => u.Id == request.RequestedByUserId).Select(u => u.DisplayName).SingleOrDefaultAsync();
        return new RequestFacts(request, resource, partnerName, string.IsNullOrWhiteSpace(requesterName) ? "A partner user" : requesterName);
    }

    private static async Task<(Grant Grant, Resource Resource)?> LoadGrantAsync(PartnerGateDbContext db, Guid grantId)
    {
        var grant = await db.Grants.AsNoTracking().SingleOrDefaultAsync(g => g.Id == grantId);
        if (grant is null)
        {
            return null;
        }

        return (grant, await db.Resources.AsNoTracking().SingleAsync(r => r.Id == grant.ResourceId));
    }

    private static ApprovalStage? CurrentStage(RequestFacts facts) =>
        facts.Request.CurrentStage < facts.Resource.Policy.Stages.Count ? facts.Resource.Policy.Stages[facts.Request.CurrentStage] : null;

    /// <summary>Manufacturer staff (no partner) holding <paramref name="role"/>, with an e-mail address.</summary>
    private static async Task<IReadOnlyList<Recipient>> StaffInRoleAsync(PartnerGateDbContext db, string role, IReadOnlyCollection<Guid> exclude)
    {
        var staff = await MailAddressing.UsersInRole(db, role).Where(u => u.PartnerId == null).ToListAsync();
        return Recipients(staff.Where(u => !exclude.Contains(u.Id)));
    }

    /// <summary>Who holds a grant: its user, or for an API client the partner's admins (who manage its clients).</summary>
    private static async Task<IReadOnlyList<Recipient>> GranteesAsync(PartnerGateDbContext db, Grant grant)
    {
        if (grant.Subject.Kind == SubjectKind.User)
        {
            return Guid.TryParse(grant.Subject.Id, CultureInfo.InvariantCulture, out var userId) && await UserAsync(db, userId) is { } user ? [user] : [];
        }

        var partnerId = grant.PartnerId;
        return Recipients(await MailAddressing.UsersInRole(db, Roles.PartnerAdmin).Where(u => u.PartnerId == partnerId).ToListAsync());
    }

    private static async Task<Recipient?> UserAsync(PartnerGateDbContext db, Guid userId)
    {
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId && u.Email != null);
        return user is null ? null : new Recipient(user.Email!, MailAddressing.DisplayNameOf(user));
    }

    private static List<Recipient> Recipients(IEnumerable<PartnerGateUser> users) => users
        .DistinctBy(u => u.Id)
        .Select(u => new Recipient(u.Email!, MailAddressing.DisplayNameOf(u)))
        .OrderBy(r => r.Email, StringComparer.OrdinalIgnoreCase)
        .ToList();

    private static void AppendRequest(StringBuilder body, RequestFacts facts)
    {
        var request = facts.Request;
        body.AppendLine(CultureInfo.InvariantCulture, $"Partner:       {facts.PartnerName}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Requested by:  {facts.RequesterName}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Resource:      {facts.Resource.DisplayName} ({facts.Resource.Sensitivity} sensitivity)");
        body.AppendLine(CultureInfo.InvariantCulture, $"Scopes:        {Scopes(request.Scopes)}");
        body.AppendLine(CultureInfo.InvariantCulture, $"For:           {SubjectInWords(request.Subject)}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Window:        {Iso(request.NotBefore)} to {Iso(request.NotAfter)} ({Durations.Describe(request.Duration)})");
        if (request.TicketReference is { } ticket)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Ticket:        {ticket}");
        }

        body.AppendLine(CultureInfo.InvariantCulture, $"Justification: {request.Justification}");
    }

    private static void AppendGrant(StringBuilder body, Grant grant, Resource resource)
    {
        body.AppendLine(CultureInfo.InvariantCulture, $"Resource:      {resource.DisplayName}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Scopes:        {Scopes(grant.Scopes)}");
        body.AppendLine(CultureInfo.InvariantCulture, $"For:           {SubjectInWords(grant.Subject)}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Window:        {Iso(grant.NotBefore)} to {Iso(grant.NotAfter)} ({Durations.Describe(grant.NotAfter - grant.NotBefore)})");
    }

    private static string SubjectInWords(AccessSubject subject) =>
        subject.Kind == SubjectKind.Client ? $"API client {subject.Id}" : "the requesting user";

    private static string Body(Recipient recipient, Action<StringBuilder> content, string? footer = null)
    {
        var body = new StringBuilder();
        body.AppendLine(CultureInfo.InvariantCulture, $"Hello {recipient.DisplayName},");
        body.AppendLine();
        content(body);
        body.AppendLine();
        body.AppendLine("-- ");
        body.AppendLine(footer ?? "PartnerGate, the manufacturer's partner access portal. This mail was sent automatically.");
        return body.ToString();
    }

    private string Link(string path) => smtpOptions.CurrentValue.Link(path);

    private static string Scopes(IEnumerable<string> scopes) => string.Join(", ", scopes);

    /// <summary>UTC, ISO-8601, to the second: the same instant reads the same for every recipient.</summary>
    private static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Count} mail(s) queued for {Event}")]
    private partial void LogQueued(int count, string @event);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No mail for {Event}: no one to tell")]
    private partial void LogNoRecipients(string @event);

    [LoggerMessage(Level = LogLevel.Error, Message = "Mail for {Event} could not be queued; the change itself has committed")]
    private partial void LogNotQueued(Exception exception, string @event);

    private sealed record Recipient(string Email, string DisplayName);

    private sealed record Mail(string To, string Subject, string Kind, string Body);

    private sealed record RequestFacts(AccessRequest Request, Resource Resource, string PartnerName, string RequesterName);
}
