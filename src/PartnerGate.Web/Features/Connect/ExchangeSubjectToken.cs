using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;
using PartnerGate.Web.Infrastructure.TokenService;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace PartnerGate.Web.Features.Connect;

/// <summary>
/// Workload federation (RFC 8693 token exchange): a partner's program presents a token its own organisation's IdP
/// issued to it (<paramref name="SubjectToken"/>) instead of a PartnerGate secret, and gets a PartnerGate access
/// token under exactly the rules of client credentials (invariants 1, 2) with an <c>act</c> claim naming the workload.
/// The token must come from the client's partner's registered, enabled IdP (invariant 4 across IdPs), name one of the
/// client's workload subjects, and is accepted once (its <c>jti</c> is recorded in the issuing transaction).
/// </summary>
/// <param name="ClientId">The client OpenIddict identified (a workload identity client authenticates with nothing else).</param>
/// <param name="SubjectToken">The partner IdP's JWT (never logged: <see cref="ToString"/> leaves it out).</param>
/// <param name="SubjectTokenType">RFC 8693's <c>jwt</c> or <c>access_token</c> token type identifier.</param>
/// <param name="Scopes">Requested resource scopes, as for client credentials.</param>
/// <param name="Resources">RFC 8707 resource indicators; at most one resource.</param>
/// <param name="IssuerAudience">PartnerGate's issuer for this request: the workload audience when none is configured.</param>
[RequirePolicy(Policies.ApiClient)]
public sealed record ExchangeSubjectTokenCommand(
    string ClientId,
    string SubjectToken,
    string SubjectTokenType,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> Resources,
    string IssuerAudience) : ICommand<Result<AccessTokenDecision>>, ITokenTarget
{
    public override string ToString() => $"ExchangeSubjectTokenCommand {{ ClientId = {ClientId}, SubjectTokenType = {SubjectTokenType}, Scopes = {string.Join(' ', Scopes)} }}";
}

public sealed class ExchangeSubjectTokenValidator : AbstractValidator<ExchangeSubjectTokenCommand>
{
    /// <summary>The subject token types RFC 8693 defines for a JWT access token of another issuer.</summary>
    public static readonly IReadOnlySet<string> AcceptedTokenTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        TokenTypeIdentifiers.GenericJsonWebToken, TokenTypeIdentifiers.AccessToken,
    };

    public ExchangeSubjectTokenValidator()
    {
        RuleFor(c => c.SubjectToken).NotEmpty().WithMessage("Send the workload's token from your identity provider as subject_token.");
        RuleFor(c => c.SubjectTokenType).Must(AcceptedTokenTypes.Contains)
            .WithMessage($"subject_token_type must be {TokenTypeIdentifiers.GenericJsonWebToken} or {TokenTypeIdentifiers.AccessToken}.");
        Include(new TokenTargetValidator());
    }
}

public sealed class ExchangeSubjectTokenHandler(
    IUnitOfWork unitOfWork,
    TimeProvider clock,
    GrantAuthorizationCache authorizations,
    ResourceCatalog resourceCatalog,
    SubjectTokenValidator subjectTokens,
    IOptions<TokenServiceOptions> options)
    : ICommandHandler<ExchangeSubjectTokenCommand, Result<AccessTokenDecision>>
{
    public async ValueTask<Result<AccessTokenDecision>> Handle(ExchangeSubjectTokenCommand command, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        var now = clock.GetUtcNow();

        var found = await (from c in db.ApiClients.AsNoTracking()
                           where c.ClientId == command.ClientId
                           join p in db.Partners.AsNoTracking() on c.PartnerId equals p.Id
                           select new { Client = c, PartnerStatus = p.Status })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null || found.Client.PartnerId is not { } partnerId || found.Client.Kind != ApiClientKind.Service)
        {
            return OAuthRefusals.UnauthorizedClient("Only a partner's service client exchanges workload tokens.");
        }

        var client = found.Client;
        if (!client.IsActive)
        {
            return OAuthRefusals.InvalidGrant("The client is disabled; it cannot exchange tokens.");
        }

        if (found.PartnerStatus != PartnerStatus.Active)
        {
            return OAuthRefusals.InvalidGrant("The client's organisation is suspended; it cannot exchange tokens.");
        }

        if (client.WorkloadSubjects.Count == 0)
        {
            return OAuthRefusals.InvalidGrant("This client has no workload subjects, so it cannot be used for token exchange. A partner admin adds them on the client's page.");
        }

        var provider = await db.PartnerIdentityProviders.AsNoTracking().SingleOrDefaultAsync(p => p.PartnerId == partnerId, cancellationToken);
        if (provider is null)
        {
            return OAuthRefusals.InvalidGrant("Your organisation has no identity provider registered at PartnerGate; tokens cannot be exchanged.");
        }

        if (!provider.IsEnabled)
        {
            return OAuthRefusals.InvalidGrant("Your organisation's identity provider is disabled at PartnerGate; tokens cannot be exchanged.");
        }

        var audience = string.IsNullOrWhiteSpace(options.Value.WorkloadAudience) ? command.IssuerAudience : options.Value.WorkloadAudience.Trim();
        var validated = await subjectTokens.ValidateAsync(command.SubjectToken, provider.Authority, audience, cancellationToken);
        if (!validated.IsSuccess)
        {
            return validated.Error!;
        }

        var token = validated.Value;
        if (!client.WorkloadSubjects.Contains(token.Subject, StringComparer.Ordinal))
        {
            return OAuthRefusals.InvalidGrant("The subject token's sub is not one of this client's workload subjects.");
        }

        var replayKey = token.ReplayKey;
        if (await db.ConsumedSubjectTokens.AnyAsync(t => t.Id == replayKey, cancellationToken))
        {
            return OAuthRefusals.InvalidGrant(ReplayMessage);
        }

        var actor = new WorkloadActor(token.Subject, token.Issuer);
        var decided = await AccessTokenIssuance.DecideAsync(db, authorizations, resourceCatalog, client, partnerId, AccessSubject.ForClient(client.ClientId),
            command.Scopes, command.Resources, null, now, cancellationToken, actor);
        if (!decided.IsSuccess)
        {
            return decided.Error!;
        }

        // Single use: the row commits with the audit event and the authorization, or not at all. A parallel exchange of
        // the same token fails on the primary key at commit (the endpoint answers invalid_grant); kept until the token
        // could no longer pass its own exp check, then purged.
        db.ConsumedSubjectTokens.Add(new ConsumedSubjectToken { Id = replayKey, ConsumedAt = now, ExpiresAt = token.ExpiresAt + SubjectTokenValidator.ClockSkew });
        unitOfWork.ExecuteInTransaction((context, ct) => context.ConsumedSubjectTokens.Where(t => t.ExpiresAt < now).ExecuteDeleteAsync(ct));

        var decision = decided.Value;
        unitOfWork.Audit("token.exchanged", "ApiClient", client.ClientId, partnerId, new
        {
            grantType = GrantTypes.TokenExchange,
            client = client.ClientId,
            workloadSubject = token.Subject,
            identityProvider = token.Issuer,
            subjectTokenId = replayKey,
            grants = decision.GrantIds,
            scopes = decision.Scopes,
            audience = decision.Audience,
            lifetimeSeconds = decision.LifetimeSeconds,
            expiresAt = decision.ExpiresAt,
            cappedByGrant = decision.CappedByGrant,
        });
        return decision;
    }

    public const string ReplayMessage = "This subject token was already exchanged; each token from your identity provider is accepted once. Get a new one.";
}
