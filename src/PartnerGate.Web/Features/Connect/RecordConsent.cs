using Mediator;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Connect;

/// <summary>
/// A partner user consented to <paramref name="ClientId"/> acting for them: links the OpenIddict authorization
/// the authorization code belongs to with the grants that cover it (so revoking one of them revokes the
/// authorization and, with it, the code and every token redeemed from it — invariant 5) and audits the consent.
/// </summary>
[RequirePolicy(Policies.PartnerMember)]
public sealed record RecordConsentCommand(string AuthorizationId, string ClientId, Guid PartnerId, IReadOnlyList<Guid> GrantIds, IReadOnlyList<string> Scopes)
    : ICommand<Result>;

public sealed class RecordConsentHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser) : ICommandHandler<RecordConsentCommand, Result>
{
    public ValueTask<Result> Handle(RecordConsentCommand command, CancellationToken cancellationToken)
    {
        if (currentUser.PartnerId != command.PartnerId)
        {
            return ValueTask.FromResult<Result>(Error.Forbidden("forbidden", "You can consent only for your own organisation's applications."));
        }

        foreach (var grantId in command.GrantIds)
        {
            unitOfWork.Db.GrantAuthorizations.Add(new GrantAuthorization { GrantId = grantId, AuthorizationId = command.AuthorizationId });
        }

        unitOfWork.Audit("consent.given", "ApiClient", command.ClientId, command.PartnerId, new
        {
            client = command.ClientId,
            authorization = command.AuthorizationId,
            grants = command.GrantIds,
            scopes = command.Scopes,
        });
        return ValueTask.FromResult(Result.Success());
    }
}
