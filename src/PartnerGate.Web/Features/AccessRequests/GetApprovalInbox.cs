using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Resources;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AccessRequests;

public sealed record InboxItem(
    Guid RequestId, string PartnerName, string ResourceName, Sensitivity Sensitivity, IReadOnlyList<string> Scopes,
    string RequesterName, DateTimeOffset SubmittedAt, DateTimeOffset NotBefore, DateTimeOffset NotAfter, DateTimeOffset DecideBy,
    int ApprovalsSoFar);

public sealed record InboxPage(int Total, IReadOnlyList<InboxItem> Items);

/// <summary>
/// The requests waiting for the current approver's decision: pending, at a stage their group decides,
/// not their own, not already approved by them. Oldest first, filtered and paged in the database.
/// <see cref="AllPending"/> widens that to every pending request (the dashboard's count, which an administrator
/// who approves nothing also follows up); <see cref="MinAgeHours"/> and <see cref="MaxAgeHours"/> keep those
/// waiting at least / less than so many hours (<see cref="PendingAge"/>).
/// </summary>
[RequirePolicy(Policies.ManufacturerStaff)]
public sealed record GetApprovalInboxQuery(
    int Page = 0, int PageSize = 25, Guid? PartnerId = null, Guid? ResourceId = null, Sensitivity? Sensitivity = null, string? Search = null,
    bool AllPending = false, int? MinAgeHours = null, int? MaxAgeHours = null)
    : IQuery<Result<InboxPage>>;

/// <summary>
/// How long a request has waited, in one place for the inbox's age filter and the dashboard's age buckets:
/// an age in [min, max) hours. Compared with instants computed here, as SQLite can compare stored ticks but not
/// do arithmetic on them.
/// </summary>
public static class PendingAge
{
    public const int MaxHours = 24 * 365;

    /// <summary>The dashboard's buckets: under 1 h, 1–4 h, 4–24 h, 24 h and more.</summary>
    public static IReadOnlyList<(int MinHours, int? MaxHours)> Buckets { get; } = [(0, 1), (1, 4), (4, 24), (24, null)];

    public static IQueryable<AccessRequest> AgedBetween(this IQueryable<AccessRequest> requests, DateTimeOffset now, int? minHours, int? maxHours)
    {
        if (minHours is { } min and > 0)
        {
            var submittedBy = now - TimeSpan.FromHours(min);
            requests = requests.Where(r => r.SubmittedAt <= submittedBy);
        }

        if (maxHours is { } max)
        {
            var submittedAfter = now - TimeSpan.FromHours(max);
            requests = requests.Where(r => r.SubmittedAt > submittedAfter);
        }

        return requests;
    }

    /// <summary>"1–4 h", "under 1 h", "24 h or more": the words of the bucket and of the inbox's filter chip.</summary>
    public static string Describe(int? minHours, int? maxHours) => (minHours ?? 0, maxHours) switch
    {
        (0, null) => "any age",
        (0, { } max) => $"under {max} h",
        (var min, null) => $"{min} h or more",
        (var min, { } max) => $"{min}–{max} h",
    };
}

public sealed class GetApprovalInboxValidator : AbstractValidator<GetApprovalInboxQuery>
{
    public GetApprovalInboxValidator()
    {
        RuleFor(q => q.Page).GreaterThanOrEqualTo(0).WithMessage("The page number cannot be negative.");
        RuleFor(q => q.PageSize).InclusiveBetween(1, 200).WithMessage("A page shows 1 to 200 requests.");
        RuleFor(q => q.Search).MaximumLength(200).WithMessage("Search for at most 200 characters.");
        RuleFor(q => q.Sensitivity).IsInEnum().WithMessage("Unknown sensitivity.");
        RuleFor(q => q.MinAgeHours).InclusiveBetween(0, PendingAge.MaxHours).WithMessage($"The minimum age takes 0 to {PendingAge.MaxHours} hours.");
        RuleFor(q => q.MaxAgeHours).InclusiveBetween(1, PendingAge.MaxHours).WithMessage($"The maximum age takes 1 to {PendingAge.MaxHours} hours.");
        RuleFor(q => q).Must(q => q.MinAgeHours is null || q.MaxAgeHours is null || q.MinAgeHours < q.MaxAgeHours)
            .WithName(nameof(GetApprovalInboxQuery.MaxAgeHours)).WithMessage("The maximum age must be greater than the minimum age.");
    }
}

public sealed class GetApprovalInboxHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser, TimeProvider clock)
    : IQueryHandler<GetApprovalInboxQuery, Result<InboxPage>>
{
    public async ValueTask<Result<InboxPage>> Handle(GetApprovalInboxQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var me = currentUser.UserId!.Value;
        var myGroups = Roles.All.Where(r => Roles.IsManufacturerRole(r) && currentUser.IsInRole(r)).ToList();

        var waiting = query.AllPending
            ? db.AccessRequests.AsNoTracking().Where(r => r.Status == AccessRequestStatus.Pending)
            : db.AccessRequests.AsNoTracking()
                .Where(r => r.AwaitingRole != null && myGroups.Contains(r.AwaitingRole)
                    && r.RequestedByUserId != me
                    && !r.Decisions.Any(d => d.ApproverId == me));
        waiting = waiting.AgedBetween(clock.GetUtcNow(), query.MinAgeHours, query.MaxAgeHours);

        if (query.PartnerId is { } partnerId)
        {
            waiting = waiting.Where(r => r.PartnerId == partnerId);
        }

        if (query.ResourceId is { } resourceId)
        {
            waiting = waiting.Where(r => r.ResourceId == resourceId);
        }

        var rows =
            from request in waiting
            join partner in db.Partners on request.PartnerId equals partner.Id
            join resource in db.Resources on request.ResourceId equals resource.Id
            join requester in db.Users on request.RequestedByUserId equals requester.Id
            select new { request, partner.Name, ResourceName = resource.DisplayName, resource.Sensitivity, requester.DisplayName };

        if (query.Sensitivity is { } sensitivity)
        {
            rows = rows.Where(x => x.Sensitivity == sensitivity);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var term = query.Search.Trim().ToLowerInvariant();
            rows = rows.Where(x => x.Name.ToLower().Contains(term) || x.ResourceName.ToLower().Contains(term)
                || x.DisplayName.ToLower().Contains(term) || x.request.Justification.ToLower().Contains(term)
                || (x.request.TicketReference != null && x.request.TicketReference.ToLower().Contains(term)));
        }

        var total = await rows.CountAsync(cancellationToken);
        var items = await rows
            .OrderBy(x => x.request.SubmittedAt).ThenBy(x => x.request.Id)
            .Skip(query.Page * query.PageSize).Take(query.PageSize)
            .Select(x => new
            {
                x.request.Id, x.Name, x.ResourceName, x.Sensitivity, x.request.Scopes, x.DisplayName, SubjectKind = x.request.Subject.Kind,
                SubjectId = x.request.Subject.Id, x.request.SubmittedAt, x.request.NotBefore, x.request.NotAfter, x.request.DecideBy,
                Approvals = x.request.Decisions.Count(d => d.Outcome == DecisionOutcome.Approved),
            })
            .ToListAsync(cancellationToken);
        return new InboxPage(total, items.Select(x => new InboxItem(
                x.Id, x.Name, x.ResourceName, x.Sensitivity, x.Scopes, RequesterWords.Describe(x.DisplayName, new AccessSubject(x.SubjectKind, x.SubjectId)),
                x.SubmittedAt, x.NotBefore, x.NotAfter, x.DecideBy, x.Approvals))
            .ToList());
    }
}
