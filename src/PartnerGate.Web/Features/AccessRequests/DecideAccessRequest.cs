using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Resources;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.AccessRequests;

/// <summary>The result of one approval: the grant when the request is now fully approved, otherwise the stage still waiting.</summary>
public sealed record ApprovalOutcome(Guid? GrantId, int? WaitingStage);


/// <summary>
/// An approver approves a request at its current stage, optionally for a shorter window (never longer).
/// Invariant 3 is enforced by <see cref="AccessRequest.Approve"/>: no self-approval, no partner users,
/// N approvals from N distinct people.
/// </summary>
[RequirePolicy(Policies.ManufacturerStaff)]
[ConcurrencyConflictMessage(DecisionMessages.AlreadyDecided)]
public sealed record ApproveAccessRequestCommand(Guid RequestId, string? Comment, DateTimeOffset? ShortenedNotAfter) : ICommand<Result<ApprovalOutcome>>;

/// <summary>An approver denies a request, saying why (the requester reads it).</summary>
[RequirePolicy(Policies.ManufacturerStaff)]
[ConcurrencyConflictMessage(DecisionMessages.AlreadyDecided)]
public sealed record DenyAccessRequestCommand(Guid RequestId, string Comment) : ICommand<Result>;

public static class DecisionMessages
{
    public const string AlreadyDecided = "This request was already decided by another approver a moment ago. Reload it to see the outcome.";
}

public sealed class ApproveAccessRequestValidator : AbstractValidator<ApproveAccessRequestCommand>
{
    public ApproveAccessRequestValidator()
    {
        RuleFor(c => c.RequestId).NotEmpty().WithMessage("Choose a request.");
        RuleFor(c => c.Comment).MaximumLength(2000).WithMessage("The comment can be at most 2,000 characters.");
    }
}

public sealed class DenyAccessRequestValidator : AbstractValidator<DenyAccessRequestCommand>
{
    public DenyAccessRequestValidator()
    {
        RuleFor(c => c.RequestId).NotEmpty().WithMessage("Choose a request.");
        RuleFor(c => c.Comment).NotEmpty().WithMessage("Say why the request is denied; the requester will read it.")
            .MaximumLength(2000).WithMessage("The comment can be at most 2,000 characters.");
    }
}

public sealed class DecideAccessRequestHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser, TimeProvider clock)
    : ICommandHandler<ApproveAccessRequestCommand, Result<ApprovalOutcome>>, ICommandHandler<DenyAccessRequestCommand, Result>
{
    public async ValueTask<Result<ApprovalOutcome>> Handle(ApproveAccessRequestCommand command, CancellationToken cancellationToken)
    {
        var loaded = await LoadAsync(command.RequestId, cancellationToken);
        if (loaded.Error is { } notFound)
        {
            return notFound;
        }

        var (request, resource) = loaded.Value;
        var actor = currentUser.ToActor();
        var now = clock.GetUtcNow();
        var stage = request.CurrentStageOrder(resource);
        var partner = await unitOfWork.Db.Partners.AsNoTracking().SingleAsync(p => p.Id == request.PartnerId, cancellationToken);
        var approved = request.Approve(resource, partner, actor, now, command.Comment, command.ShortenedNotAfter);
        if (!approved.IsSuccess)
        {
            return approved.Error!;
        }

        unitOfWork.Audit("request.approved", "AccessRequest", request.Id.ToString(), request.PartnerId, new
        {
            before = "Pending",
            after = request.Status.ToString(),
            stage,
            comment = command.Comment,
            shortenedNotAfter = command.ShortenedNotAfter,
            final = approved.Value is not null,
        });
        if (approved.Value is not { } grant)
        {
            var waiting = request.CurrentStageOrder(resource);
            unitOfWork.PublishAfterCommit(new RequestApproved(request.Id, request.PartnerId, actor.UserId, null, waiting, AutoApproved: false));
            return new ApprovalOutcome(null, waiting);
        }

        unitOfWork.Db.Grants.Add(grant);
        unitOfWork.Audit("grant.created", "Grant", grant.Id.ToString(), grant.PartnerId, new
        {
            request = request.Id,
            resource = resource.Name,
            scopes = grant.Scopes,
            grant.NotBefore,
            grant.NotAfter,
            approvers = request.Decisions.Select(d => d.ApproverName),
        });
        unitOfWork.PublishAfterCommit(new RequestApproved(request.Id, request.PartnerId, actor.UserId, grant.Id, 0, AutoApproved: false));
        if (grant.Status == Domain.Grants.GrantStatus.Active)
        {
            unitOfWork.PublishAfterCommit(new GrantActivated(grant.Id, grant.PartnerId));
        }

        return new ApprovalOutcome(grant.Id, null);
    }

    public async ValueTask<Result> Handle(DenyAccessRequestCommand command, CancellationToken cancellationToken)
    {
        var loaded = await LoadAsync(command.RequestId, cancellationToken);
        if (loaded.Error is { } notFound)
        {
            return notFound;
        }

        var (request, resource) = loaded.Value;
        var actor = currentUser.ToActor();
        var stage = request.CurrentStageOrder(resource);
        var denied = request.Deny(resource, actor, command.Comment, clock.GetUtcNow());
        if (!denied.IsSuccess)
        {
            return denied;
        }

        unitOfWork.Audit("request.denied", "AccessRequest", request.Id.ToString(), request.PartnerId, new { before = "Pending", after = "Denied", stage, comment = command.Comment.Trim() });
        unitOfWork.PublishAfterCommit(new RequestDenied(request.Id, request.PartnerId, actor.UserId));
        return Result.Success();
    }

    private async Task<Result<(AccessRequest Request, Resource Resource)>> LoadAsync(Guid requestId, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        var request = await db.AccessRequests.Include(r => r.Decisions).SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        if (request is null)
        {
            return Error.NotFound("request_not_found", "That request does not exist.");
        }

        var resource = await db.Resources.SingleAsync(r => r.Id == request.ResourceId, cancellationToken);
        return (request, resource);
    }
}
