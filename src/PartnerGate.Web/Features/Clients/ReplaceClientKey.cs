using FluentValidation;
using Mediator;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Clients;

/// <summary>
/// A new public key for a client; a secret client that gets a key switches to private_key_jwt and its
/// secret stops working at once (the application row holds exactly one credential).
/// </summary>
[RequirePolicy(Policies.PartnerAdmin)]
[ConcurrencyConflictMessage("This client changed at the same moment. Reload and try again.")]
public sealed record ReplaceClientKeyCommand(string ClientId, string PublicKey) : ICommand<Result>;

public sealed class ReplaceClientKeyValidator : AbstractValidator<ReplaceClientKeyCommand>
{
    public ReplaceClientKeyValidator()
    {
        RuleFor(c => c.ClientId).NotEmpty().WithMessage("Choose a client.");
        RuleFor(c => c.PublicKey).NotEmpty().WithMessage("Paste the client's new public key (a JWK or a PEM public key).");
    }
}

public sealed class ReplaceClientKeyHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser, TimeProvider clock)
    : ICommandHandler<ReplaceClientKeyCommand, Result>
{
    public async ValueTask<Result> Handle(ReplaceClientKeyCommand command, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        if (await db.FindVisibleWithApplicationAsync(currentUser, command.ClientId, cancellationToken) is not var (client, application))
        {
            return ClientVisibility.NotFound(command.ClientId);
        }

        var jwks = ClientApplications.ParsePublicKey(command.PublicKey);
        if (!jwks.IsSuccess)
        {
            return ClientRules.OnField(jwks.Error!, nameof(command.PublicKey));
        }

        var before = client.AuthenticationMethod;
        var replaced = client.ReplaceCredential(currentUser.ToActor(), ClientAuthenticationMethod.PrivateKeyJwt, clock.GetUtcNow());
        if (!replaced.IsSuccess)
        {
            return replaced;
        }

        ClientApplications.SetCredential(application, null, jwks.Value);
        unitOfWork.Audit("client.key_replaced", "ApiClient", client.ClientId, client.PartnerId, new
        {
            before = before.ToString(),
            after = client.AuthenticationMethod.ToString(),
            credentialSetAt = client.CredentialSetAt,
        });
        return Result.Success();
    }
}
