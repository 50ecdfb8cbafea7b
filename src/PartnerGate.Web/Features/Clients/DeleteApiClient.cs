using FluentValidation;
using Mediator;
using PartnerGate.Data;
using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Grants;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Features.Connect;
using PartnerGate.Web.Features.SharedSignals;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Clients;

/// <summary>
/// Removes a client for good, in one transaction: its live grants are revoked ("Client deleted"), its
/// pending requests cancelled, and its OpenIddict tokens, authorizations and application deleted, so
/// nothing it held can be used or revived. The audit trail keeps its history.
/// </summary>
[RequirePolicy(Policies.PartnerAdmin)]
[ConcurrencyConflictMessage("This client or one of its grants changed at the same moment. Reload and try again.")]
public sealed record DeleteApiClientCommand(string ClientId) : ICommand<Result>;

public sealed class DeleteApiClientValidator : AbstractValidator<DeleteApiClientCommand>
{
    public DeleteApiClientValidator() => RuleFor(c => c.ClientId).NotEmpty().WithMessage("Choose a client.");
}

public sealed class DeleteApiClientHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser, TimeProvider clock)
    : ICommandHandler<DeleteApiClientCommand, Result>
{
    public const string GrantRevocationReason = "Client deleted";

    public async ValueTask<Result> Handle(DeleteApiClientCommand command, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        var actor = currentUser.ToActor();
        var now = clock.GetUtcNow();
        var client = await db.ApiClients.FindVisibleAsync(currentUser, command.ClientId, cancellationToken);
        if (client is null)
        {
            return ClientVisibility.NotFound(command.ClientId);
        }

        if (!client.CanBeManagedBy(actor) || actor.IsManufacturerStaff)
        {
            return Error.Forbidden("client.delete_forbidden", "Only the owning organisation's partner admin deletes a client.");
        }

        var subject = AccessSubject.ForClient(client.ClientId);
        var grants = await db.Grants
            .Where(g => g.Subject.Kind == SubjectKind.Client && g.Subject.Id == subject.Id
                && (g.Status == GrantStatus.Active || g.Status == GrantStatus.Scheduled || g.Status == GrantStatus.Suspended))
            .ToListAsync(cancellationToken);
        foreach (var grant in grants)
        {
            var before = grant.Status;
            var revoked = grant.Revoke(actor, GrantRevocationReason, now);
            if (!revoked.IsSuccess)
            {
                return revoked;
            }

            unitOfWork.Audit("grant.revoked", "Grant", grant.Id.ToString(), grant.PartnerId,
                new { before = before.ToString(), after = "Revoked", reason = GrantRevocationReason, client = client.ClientId });
            unitOfWork.PublishAfterCommit(new GrantRevoked(grant.Id, grant.PartnerId, GrantRevocationReason));
            unitOfWork.EmitSecurityEvent(FeedEvents.GrantRevoked(grant, SecurityEventInitiator.User));
        }

        var pending = await db.AccessRequests
            .Where(r => r.Status == AccessRequestStatus.Pending && r.Subject.Kind == SubjectKind.Client && r.Subject.Id == subject.Id)
            .ToListAsync(cancellationToken);
        foreach (var request in pending)
        {
            var cancelled = request.Cancel(actor, now);
            if (!cancelled.IsSuccess)
            {
                return cancelled;
            }

            unitOfWork.Audit("request.cancelled", "AccessRequest", request.Id.ToString(), request.PartnerId,
                new { before = "Pending", after = "Cancelled", reason = GrantRevocationReason });
            unitOfWork.PublishAfterCommit(new RequestCancelled(request.Id, request.PartnerId));
        }

        db.ApiClients.Remove(client);
        unitOfWork.RevokeTokensOf(grants.Select(g => g.Id).ToList());
        var clientId = client.ClientId;
        unitOfWork.ExecuteInTransaction(async (context, ct) =>
        {
            // Tokens reference authorizations and the application, so they go first.
            await context.Set<OpenIddictEntityFrameworkCoreToken>().Where(t => t.Application != null && t.Application.ClientId == clientId).ExecuteDeleteAsync(ct);
            await context.Set<OpenIddictEntityFrameworkCoreAuthorization>().Where(a => a.Application != null && a.Application.ClientId == clientId).ExecuteDeleteAsync(ct);
            await context.Set<OpenIddictEntityFrameworkCoreApplication>().Where(a => a.ClientId == clientId).ExecuteDeleteAsync(ct);
        });
        unitOfWork.Audit("client.deleted", "ApiClient", client.ClientId, client.PartnerId, new
        {
            name = client.DisplayName, kind = client.Kind.ToString(), grantsRevoked = grants.Count, requestsCancelled = pending.Count,
        });
        unitOfWork.EmitSecurityEvent(FeedEvents.ClientDisabled(client, "Client deleted", SecurityEventInitiator.User));
        return Result.Success();
    }
}
