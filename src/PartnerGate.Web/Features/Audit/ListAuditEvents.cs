using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Audit;

public sealed record AuditEventRow(
    long Sequence, DateTimeOffset OccurredAt, string? ActorId, string ActorName, Guid? PartnerId, string? PartnerName,
    string Action, string TargetType, string TargetId, string? Details, string PreviousHash, string Hash);

public sealed record AuditEventPage(int Total, IReadOnlyList<AuditEventRow> Items);

/// <summary>
/// One page of the audit trail, newest first, filtered and paged in the database. Administrators read every
/// event; a partner admin only their own partner's (a filter naming another partner matches nothing).
/// </summary>
[RequirePolicy(AuditAccess.ReaderPolicy)]
public sealed record ListAuditEventsQuery(AuditEventFilter Filter, int Page = 0, int PageSize = 25) : IQuery<Result<AuditEventPage>>;

public sealed class ListAuditEventsValidator : AbstractValidator<ListAuditEventsQuery>
{
    public static readonly int[] PageSizes = [25, 50, 100];

    public ListAuditEventsValidator()
    {
        RuleFor(q => q.Filter).NotNull()
            .Must(filter => !filter.Problems().Any()).WithMessage(q => string.Join(" ", q.Filter.Problems()));
        RuleFor(q => q.Page).InclusiveBetween(0, 1_000_000).WithMessage("The page number must be between 0 and 1,000,000.");
        RuleFor(q => q.PageSize).Must(size => PageSizes.Contains(size)).WithMessage("A page shows 25, 50 or 100 events.");
    }
}

public sealed class ListAuditEventsHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser)
    : IQueryHandler<ListAuditEventsQuery, Result<AuditEventPage>>
{
    public async ValueTask<Result<AuditEventPage>> Handle(ListAuditEventsQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var events = query.Filter.Apply(db.AuditEvents.AsNoTracking(), AuditAccess.PartnerScope(currentUser));
        var total = await events.CountAsync(cancellationToken);
        var items = await (
                from e in events.OrderByDescending(e => e.Sequence).Skip(query.Page * query.PageSize).Take(query.PageSize)
                join p in db.Partners on e.PartnerId equals p.Id into partners
                from partner in partners.DefaultIfEmpty()
                orderby e.Sequence descending
                select new AuditEventRow(e.Sequence, e.OccurredAt, e.ActorId, e.ActorName, e.PartnerId, partner == null ? null : partner.Name,
                    e.Action, e.TargetType, e.TargetId, e.Details, e.PreviousHash, e.Hash))
            .ToListAsync(cancellationToken);
        return new AuditEventPage(total, items);
    }
}
