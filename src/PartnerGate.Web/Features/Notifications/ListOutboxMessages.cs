using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Notifications;
using PartnerGate.Web.Infrastructure.Mail;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Notifications;

public sealed record OutboxMessageRow(
    Guid Id, DateTimeOffset CreatedAt, string To, string Subject, string Kind, OutboxStatus Status,
    int Attempts, DateTimeOffset NextAttemptAt, DateTimeOffset? SentAt, string? LastError, string Body);

/// <summary>One page of the outbox, and whether mail is delivered at all (without SMTP every message is held).</summary>
public sealed record OutboxListing(int TotalCount, IReadOnlyList<OutboxMessageRow> Items, bool DeliveryConfigured);

/// <summary>
/// The outbox for administrators, newest first, one page at a time. Mail bodies name partners, people and
/// justifications across every partner, so only administrators read them.
/// </summary>
[RequirePolicy(Policies.Administrator)]
public sealed record ListOutboxMessagesQuery(int PageIndex, int PageSize, OutboxStatus? Status = null) : IQuery<Result<OutboxListing>>;

public sealed class ListOutboxMessagesValidator : AbstractValidator<ListOutboxMessagesQuery>
{
    public const int MaxPageSize = 100;

    public ListOutboxMessagesValidator()
    {
        // The upper bound keeps PageIndex * PageSize inside an int.
        RuleFor(q => q.PageIndex).InclusiveBetween(0, int.MaxValue / MaxPageSize).WithMessage("The page index is out of range.");
        RuleFor(q => q.PageSize).InclusiveBetween(1, MaxPageSize).WithMessage($"Show between 1 and {MaxPageSize} messages per page.");
        RuleFor(q => q.Status).IsInEnum().WithMessage("Unknown status.");
    }
}

public sealed class ListOutboxMessagesHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, IOptionsMonitor<SmtpOptions> smtpOptions)
    : IQueryHandler<ListOutboxMessagesQuery, Result<OutboxListing>>
{
    public async ValueTask<Result<OutboxListing>> Handle(ListOutboxMessagesQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var messages = db.OutboxMessages.AsNoTracking();
        if (query.Status is { } status)
        {
            messages = messages.Where(m => m.Status == status);
        }

        var total = await messages.CountAsync(cancellationToken);
        var items = await messages
            .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Skip(query.PageIndex * query.PageSize)
            .Take(query.PageSize)
            .Select(m => new OutboxMessageRow(m.Id, m.CreatedAt, m.To, m.Subject, m.Kind, m.Status, m.Attempts, m.NextAttemptAt, m.SentAt, m.LastError, m.Body))
            .ToListAsync(cancellationToken);
        return new OutboxListing(total, items, smtpOptions.CurrentValue.IsConfigured);
    }
}
