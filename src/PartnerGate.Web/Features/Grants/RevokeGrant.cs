using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Data;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Grants;

/// <summary>
/// Ends a grant now: approvers and administrators revoke any grant with a reason; a partner gives up its
/// own (a partner user theirs, a partner admin any of the organisation's).
/// </summary>
[RequirePolicy(Policies.SignedIn)]
[ConcurrencyConflictMessage("This grant changed at the same moment (revoked or expired elsewhere). Reload to see its state.")]
public sealed record RevokeGrantCommand(Guid GrantId, string? Reason) : ICommand<Result>;

public sealed class RevokeGrantValidator : AbstractValidator<RevokeGrantCommand>
{
    public RevokeGrantValidator()
    {
        RuleFor(c => c.GrantId).NotEmpty().WithMessage("Choose a grant.");
        RuleFor(c => c.Reason).MaximumLength(1000).WithMessage("The reason can be at most 1,000 characters.");
    }
}

public sealed class RevokeGrantHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser, TimeProvider clock)
    : ICommandHandler<RevokeGrantCommand, Result>
{
    public async ValueTask<Result> Handle(RevokeGrantCommand command, CancellationToken cancellationToken)
    {
        var grant = await unitOfWork.Db.Grants.VisibleTo(currentUser).SingleOrDefaultAsync(g => g.Id == command.GrantId, cancellationToken);
        if (grant is null)
        {
            return Error.NotFound("grant_not_found", "That grant does not exist.");
        }

        var before = grant.Status;
        var revoked = grant.Revoke(currentUser.ToActor(), command.Reason ?? string.Empty, clock.GetUtcNow());
        if (!revoked.IsSuccess)
        {
            return revoked;
        }

        var givenUp = currentUser.PartnerId is not null;
        unitOfWork.RecordRevocation(grant, before, givenUp ? "grant.given_up" : "grant.revoked", givenUp ? SecurityEventInitiator.User : SecurityEventInitiator.Admin);
        return Result.Success();
    }
}
