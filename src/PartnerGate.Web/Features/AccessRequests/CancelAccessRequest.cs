using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AccessRequests;

/// <summary>The requester (or their partner admin) withdraws a pending request.</summary>
[RequirePolicy(Policies.PartnerMember)]
[ConcurrencyConflictMessage(DecisionMessages.AlreadyDecided)]
public sealed record CancelAccessRequestCommand(Guid RequestId) : ICommand<Result>;

public sealed class CancelAccessRequestValidator : AbstractValidator<CancelAccessRequestCommand>
{
    public CancelAccessRequestValidator() => RuleFor(c => c.RequestId).NotEmpty().WithMessage("Choose a request.");
}

public sealed class CancelAccessRequestHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser, TimeProvider clock)
    : ICommandHandler<CancelAccessRequestCommand, Result>
{
    public async ValueTask<Result> Handle(CancelAccessRequestCommand command, CancellationToken cancellationToken)
    {
        var request = await unitOfWork.Db.AccessRequests.VisibleTo(currentUser).SingleOrDefaultAsync(r => r.Id == command.RequestId, cancellationToken);
        if (request is null)
        {
            return Error.NotFound("request_not_found", "That request does not exist.");
        }

        var cancelled = request.Cancel(currentUser.ToActor(), clock.GetUtcNow());
        if (!cancelled.IsSuccess)
        {
            return cancelled;
        }

        unitOfWork.Audit("request.cancelled", "AccessRequest", request.Id.ToString(), request.PartnerId, new { before = "Pending", after = "Cancelled" });
        unitOfWork.PublishAfterCommit(new RequestCancelled(request.Id, request.PartnerId));
        return Result.Success();
    }
}
