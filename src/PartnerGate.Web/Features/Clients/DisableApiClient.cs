using FluentValidation;
using Mediator;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Features.SharedSignals;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Clients;

/// <summary>
/// Stops a client at once: the token endpoint refuses it (<c>invalid_client</c>) and its live tokens
/// introspect as inactive. A partner admin disables their own; an administrator any (and only an
/// administrator can then enable it again).
/// </summary>
[RequirePolicy(Policies.ClientManager)]
[ConcurrencyConflictMessage("This client changed at the same moment. Reload and try again.")]
public sealed record DisableApiClientCommand(string ClientId, string Reason) : ICommand<Result>;

public sealed class DisableApiClientValidator : AbstractValidator<DisableApiClientCommand>
{
    public DisableApiClientValidator()
    {
        RuleFor(c => c.ClientId).NotEmpty().WithMessage("Choose a client.");
        RuleFor(c => c.Reason).NotEmpty().WithMessage("Say why the client is disabled; it is written to the audit trail.")
            .MaximumLength(1000).WithMessage("The reason can be at most 1,000 characters.");
    }
}

public sealed class DisableApiClientHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser, TimeProvider clock)
    : ICommandHandler<DisableApiClientCommand, Result>
{
    public async ValueTask<Result> Handle(DisableApiClientCommand command, CancellationToken cancellationToken)
    {
        var client = await unitOfWork.Db.ApiClients.FindVisibleAsync(currentUser, command.ClientId, cancellationToken);
        if (client is null)
        {
            return ClientVisibility.NotFound(command.ClientId);
        }

        var disabled = client.Disable(currentUser.ToActor(), command.Reason, clock.GetUtcNow());
        if (!disabled.IsSuccess)
        {
            return disabled;
        }

        unitOfWork.Audit("client.disabled", "ApiClient", client.ClientId, client.PartnerId, new
        {
            before = "Active", after = "Disabled", reason = client.DisabledReason, byManufacturer = client.DisabledByManufacturer,
        });
        unitOfWork.EmitSecurityEvent(FeedEvents.ClientDisabled(client, client.DisabledReason,
            currentUser.PartnerId is null ? SecurityEventInitiator.Admin : SecurityEventInitiator.User));
        return Result.Success();
    }
}
