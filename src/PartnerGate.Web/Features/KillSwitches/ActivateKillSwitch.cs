using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Features.Connect;
using PartnerGate.Web.Features.SharedSignals;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.KillSwitches;

/// <summary>What a kill switch ended.</summary>
public sealed record KillSwitchOutcome(string TargetName, int GrantsRevoked, int RequestsDenied, bool SessionsEnded);

/// <summary>
/// Ends everything of a target at once (invariant 5): every Active, Scheduled or Suspended grant is revoked with its
/// tokens and put on the revocation feed, pending requests are denied so nobody can approve them afterwards, and for a
/// user their portal sessions and code-flow tokens end too. One transaction: all of it or nothing.
/// </summary>
[RequirePolicy(Policies.Administrator)]
[ConcurrencyConflictMessage("A grant or request of this target changed at the same moment; nothing was revoked. Run the kill switch again.")]
public sealed record ActivateKillSwitchCommand(KillSwitchKind Kind, string? TargetId, string Reason) : ICommand<Result<KillSwitchOutcome>>;

public sealed class ActivateKillSwitchValidator : AbstractValidator<ActivateKillSwitchCommand>
{
    public ActivateKillSwitchValidator()
    {
        RuleFor(c => c.Kind).IsInEnum().WithMessage("Choose a kill switch.");
        RuleFor(c => c.TargetId).NotEmpty().When(c => c.Kind != KillSwitchKind.AllPartners).WithMessage("Choose what to revoke.")
            .MaximumLength(200).WithMessage("Choose what to revoke.");
        RuleFor(c => c.Reason).NotEmpty().WithMessage("Say why; the partners read the reason.")
            .MaximumLength(1000).WithMessage("The reason can be at most 1,000 characters.");
    }
}

public sealed class ActivateKillSwitchHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser, TimeProvider clock)
    : ICommandHandler<ActivateKillSwitchCommand, Result<KillSwitchOutcome>>
{
    /// <summary>How many grant ids one token-revocation statement carries; keeps "all partners" within every provider's parameter limits.</summary>
    private const int TokenRevocationBatch = 500;

    public async ValueTask<Result<KillSwitchOutcome>> Handle(ActivateKillSwitchCommand command, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        if (await KillSwitchScope.ResolveAsync(db, command.Kind, command.TargetId, cancellationToken) is not { } target)
        {
            return KillSwitchScope.NotFound(command.Kind);
        }

        var administrator = currentUser.ToActor();
        if (target.Kind == KillSwitchKind.User && target.Guid == administrator.UserId)
        {
            return Error.Validation("killswitch.own_account", "You cannot use a kill switch on your own account.");
        }

        var reason = command.Reason.Trim();
        var now = clock.GetUtcNow();

        // Only the target's live grants are loaded (no navigation, no unrelated rows); "all partners" loads every live
        // grant once and revokes their tokens in batches below.
        var grants = await KillSwitchScope.Grants(db, target).ToListAsync(cancellationToken);
        foreach (var grant in grants)
        {
            var before = grant.Status;
            var revoked = grant.Revoke(administrator, reason, now);
            if (!revoked.IsSuccess)
            {
                return revoked.Error!;
            }

            unitOfWork.Audit("grant.revoked", "Grant", grant.Id.ToString(), grant.PartnerId,
                new { before = before.ToString(), after = "Revoked", reason = grant.StatusReason, killSwitch = target.AuditAction });
            unitOfWork.EmitSecurityEvent(FeedEvents.GrantRevoked(grant, SecurityEventInitiator.Admin));
            unitOfWork.PublishAfterCommit(new GrantRevoked(grant.Id, grant.PartnerId, grant.StatusReason ?? reason));
        }

        foreach (var batch in grants.Select(g => g.Id).Chunk(TokenRevocationBatch))
        {
            unitOfWork.RevokeTokensOf(batch);
        }

        var requests = await KillSwitchScope.PendingRequests(db, target).Include(r => r.Decisions).ToListAsync(cancellationToken);
        var resourceIds = requests.Select(r => r.ResourceId).Distinct().ToList();
        var resources = await db.Resources.Where(r => resourceIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, cancellationToken);
        foreach (var request in requests)
        {
            var denied = request.DenyByAdministrator(resources[request.ResourceId], administrator, reason, now);
            if (!denied.IsSuccess)
            {
                return denied.Error!;
            }

            unitOfWork.Audit("request.denied", "AccessRequest", request.Id.ToString(), request.PartnerId,
                new { before = "Pending", after = "Denied", comment = reason, killSwitch = target.AuditAction });
            unitOfWork.PublishAfterCommit(new RequestDenied(request.Id, request.PartnerId, administrator.UserId));
        }

        var sessionsEnded = target.Kind == KillSwitchKind.User;
        if (sessionsEnded)
        {
            unitOfWork.EndSessionsOf([target.Guid]);
        }

        unitOfWork.Audit(target.AuditAction, target.AuditTargetType, target.Key, target.PartnerId,
            new { target = target.Name, reason, grantsRevoked = grants.Count, requestsDenied = requests.Count, sessionsEnded });
        return new KillSwitchOutcome(target.Name, grants.Count, requests.Count, sessionsEnded);
    }
}
