using FluentValidation;
using Mediator;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;
using PartnerGate.Web.Infrastructure.TokenService;

namespace PartnerGate.Web.Features.Clients;

/// <summary>
/// A new secret for a secret client, shown once. The old one stops working at once: the OpenIddict
/// application row changes in the same transaction, and OpenIddict's entity cache is off.
/// </summary>
[RequirePolicy(Policies.PartnerAdmin)]
[ConcurrencyConflictMessage("This client changed at the same moment. Reload and try again.")]
public sealed record RotateClientSecretCommand(string ClientId) : ICommand<Result<ClientCredentialIssued>>;

public sealed class RotateClientSecretValidator : AbstractValidator<RotateClientSecretCommand>
{
    public RotateClientSecretValidator() => RuleFor(c => c.ClientId).NotEmpty().WithMessage("Choose a client.");
}

public sealed class RotateClientSecretHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser, TimeProvider clock)
    : ICommandHandler<RotateClientSecretCommand, Result<ClientCredentialIssued>>
{
    public async ValueTask<Result<ClientCredentialIssued>> Handle(RotateClientSecretCommand command, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        if (await db.FindVisibleWithApplicationAsync(currentUser, command.ClientId, cancellationToken) is not var (client, application))
        {
            return ClientVisibility.NotFound(command.ClientId);
        }

        if (client.AuthenticationMethod != ClientAuthenticationMethod.ClientSecret)
        {
            return Error.Conflict("client.not_secret", "This client authenticates with a key (private_key_jwt); replace its key instead.");
        }

        var replaced = client.ReplaceCredential(currentUser.ToActor(), ClientAuthenticationMethod.ClientSecret, clock.GetUtcNow());
        if (!replaced.IsSuccess)
        {
            return replaced.Error!;
        }

        var secret = ClientSecrets.Generate();
        ClientApplications.SetCredential(application, secret, null);
        unitOfWork.Audit("client.secret_rotated", "ApiClient", client.ClientId, client.PartnerId, new { credentialSetAt = client.CredentialSetAt });
        return new ClientCredentialIssued(client.ClientId, secret);
    }
}
