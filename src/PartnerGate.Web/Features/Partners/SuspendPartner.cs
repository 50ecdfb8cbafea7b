using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Features.SharedSignals;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Partners;

/// <summary>
/// Suspends a partner (invariant 5): from the commit on, every token of its clients and users fails at introspection
/// and at resource servers (partner event on the feed), no token is issued, nobody of it signs in, and its people's
/// portal sessions and code-flow tokens end. Its grants stay as they are, so reinstating restores exactly what was.
/// </summary>
[RequirePolicy(Policies.Administrator)]
public sealed record SuspendPartnerCommand(Guid PartnerId, string Reason) : ICommand<Result>;

/// <summary>Lifts a suspension: tokens backed by the partner's grants work again; sessions ended by the suspension stay ended.</summary>
[RequirePolicy(Policies.Administrator)]
public sealed record ReinstatePartnerCommand(Guid PartnerId) : ICommand<Result>;

public sealed class SuspendPartnerValidator : AbstractValidator<SuspendPartnerCommand>
{
    public SuspendPartnerValidator()
    {
        RuleFor(c => c.PartnerId).NotEmpty().WithMessage("Choose a partner.");
        RuleFor(c => c.Reason).NotEmpty().WithMessage("Say why the partner is suspended; its people read the reason.")
            .MaximumLength(1000).WithMessage("The reason can be at most 1,000 characters.");
    }
}

public sealed class PartnerStatusHandler(IUnitOfWork unitOfWork)
    : ICommandHandler<SuspendPartnerCommand, Result>, ICommandHandler<ReinstatePartnerCommand, Result>
{
    public async ValueTask<Result> Handle(SuspendPartnerCommand command, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        var partner = await db.Partners.SingleOrDefaultAsync(p => p.Id == command.PartnerId, cancellationToken);
        if (partner is null)
        {
            return PartnerNotFound;
        }

        var suspended = partner.Suspend(command.Reason);
        if (!suspended.IsSuccess)
        {
            return suspended;
        }

        var users = await db.Users.Where(u => u.PartnerId == partner.Id).Select(u => u.Id).ToListAsync(cancellationToken);
        unitOfWork.EndSessionsOf(users);
        unitOfWork.Audit("partner.suspended", "Partner", partner.Id.ToString(), partner.Id,
            new { before = "Active", after = "Suspended", reason = partner.SuspensionReason, sessionsEnded = users.Count });
        unitOfWork.EmitSecurityEvent(FeedEvents.PartnerSuspended(partner));
        return Result.Success();
    }

    public async ValueTask<Result> Handle(ReinstatePartnerCommand command, CancellationToken cancellationToken)
    {
        var partner = await unitOfWork.Db.Partners.SingleOrDefaultAsync(p => p.Id == command.PartnerId, cancellationToken);
        if (partner is null)
        {
            return PartnerNotFound;
        }

        var reason = partner.SuspensionReason;
        var reinstated = partner.Reinstate();
        if (!reinstated.IsSuccess)
        {
            return reinstated;
        }

        unitOfWork.Audit("partner.reinstated", "Partner", partner.Id.ToString(), partner.Id, new { before = "Suspended", after = "Active", suspendedFor = reason });
        unitOfWork.EmitSecurityEvent(FeedEvents.PartnerReinstated(partner));
        return Result.Success();
    }

    private static Error PartnerNotFound => Error.NotFound("partner_not_found", "That partner does not exist.");
}
