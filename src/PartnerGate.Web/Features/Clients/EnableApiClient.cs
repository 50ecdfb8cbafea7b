using FluentValidation;
using Mediator;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Features.SharedSignals;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Clients;

/// <summary>Re-enables a disabled client; one the manufacturer disabled only an administrator may enable (domain rule).</summary>
[RequirePolicy(Policies.ClientManager)]
[ConcurrencyConflictMessage("This client changed at the same moment. Reload and try again.")]
public sealed record EnableApiClientCommand(string ClientId) : ICommand<Result>;

public sealed class EnableApiClientValidator : AbstractValidator<EnableApiClientCommand>
{
    public EnableApiClientValidator() => RuleFor(c => c.ClientId).NotEmpty().WithMessage("Choose a client.");
}

public sealed class EnableApiClientHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser)
    : ICommandHandler<EnableApiClientCommand, Result>
{
    public async ValueTask<Result> Handle(EnableApiClientCommand command, CancellationToken cancellationToken)
    {
        var client = await unitOfWork.Db.ApiClients.FindVisibleAsync(currentUser, command.ClientId, cancellationToken);
        if (client is null)
        {
            return ClientVisibility.NotFound(command.ClientId);
        }

        var reason = client.DisabledReason;
        var enabled = client.Enable(currentUser.ToActor());
        if (!enabled.IsSuccess)
        {
            return enabled;
        }

        unitOfWork.Audit("client.enabled", "ApiClient", client.ClientId, client.PartnerId, new { before = "Disabled", after = "Active", disabledFor = reason });
        unitOfWork.EmitSecurityEvent(FeedEvents.ClientEnabled(client, currentUser.PartnerId is null ? SecurityEventInitiator.Admin : SecurityEventInitiator.User));
        return Result.Success();
    }
}
