using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;
using PartnerGate.Web.Infrastructure.TokenService;
using static OpenIddict.Abstractions.OpenIddictConstants;
using OAuthErrors = OpenIddict.Abstractions.OpenIddictConstants.Errors;

namespace PartnerGate.Web.Features.Connect;

/// <summary>
/// The admin console redeems a code (PKCE checked by OpenIddict, the user re-checked by TokenStillBackedHandler):
/// the user is checked once more — still staff, not locked out, the role still allows every scope, the security stamp
/// unchanged — and the token is audited like every other. Lifetime <see cref="AdminApiTokens.Lifetime"/>; no refresh token.
/// </summary>
[RequirePolicy(Policies.ApiClient)]
public sealed record IssueAdminTokenCommand(string ClientId, string? Subject, string? StampHash, IReadOnlyList<string> Scopes)
    : ICommand<Result<AdminTokenDecision>>;

public sealed record AdminTokenDecision(string Subject, string StampHash, IReadOnlyList<string> Scopes, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

public sealed class IssueAdminTokenHandler(IUnitOfWork unitOfWork, TimeProvider clock) : ICommandHandler<IssueAdminTokenCommand, Result<AdminTokenDecision>>
{
    public async ValueTask<Result<AdminTokenDecision>> Handle(IssueAdminTokenCommand command, CancellationToken cancellationToken)
    {
        if (command.ClientId != AdminApiTokens.ConsoleClientId)
        {
            return OAuthRefusals.UnauthorizedClient("Only PartnerGate's admin console obtains admin API tokens.");
        }

        var now = clock.GetUtcNow();
        var (user, refusal) = await AdminTokenUsers.CheckAsync(unitOfWork.Db, command.Subject, command.StampHash, command.Scopes, now, cancellationToken);
        if (user is null)
        {
            return OAuthRefusals.InvalidGrant(refusal!);
        }

        // Whole seconds, as the JWT's exp will say.
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds((now + AdminApiTokens.Lifetime).ToUnixTimeSeconds());
        var adminScopes = command.Scopes.Where(AdminApiTokens.AllScopes.Contains).ToList();
        unitOfWork.Audit("token.issued", "ApiClient", command.ClientId, null, new
        {
            grantType = GrantTypes.AuthorizationCode,
            client = command.ClientId,
            subject = user.Id,
            scopes = adminScopes,
            audience = AdminApiTokens.Audience,
            lifetimeSeconds = (int)(expiresAt - now).TotalSeconds,
            expiresAt,
        });
        return new AdminTokenDecision(user.Id.ToString(), user.StampHash, command.Scopes, now, expiresAt);
    }
}

/// <summary>The admin console's branch of <c>/connect/token</c>.</summary>
public static class AdminConsoleTokenEndpoint
{
    public static async Task<IResult> IssueAsync(HttpContext http, IMediator mediator, OpenIddictRequest request, string clientId)
    {
        if (!request.IsAuthorizationCodeGrantType())
        {
            // OpenIddict's permissions already refuse other grants for this client; this says why if one slips through.
            return TokenEndpoint.Refuse(OAuthErrors.UnauthorizedClient, "The admin console redeems authorization codes only; sign in again for a new token.");
        }

        var code = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        if (code?.GetClaim(AdminApiTokens.StampClaim) is null)
        {
            return TokenEndpoint.Refuse(OAuthErrors.InvalidGrant, "The authorization code is no longer valid.");
        }

        var decision = await mediator.Send(new IssueAdminTokenCommand(clientId, code.GetClaim(Claims.Subject), code.GetClaim(AdminApiTokens.StampClaim),
            [.. code.GetScopes()]), http.RequestAborted);
        if (!decision.IsSuccess)
        {
            var error = decision.Error!;
            return TokenEndpoint.Refuse(error.Code is OAuthErrors.InvalidGrant or OAuthErrors.UnauthorizedClient ? error.Code : OAuthErrors.InvalidGrant, error.Message);
        }

        return Results.SignIn(BuildPrincipal(decision.Value, clientId, code), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary><c>sub</c>, the role-derived scopes, the stamp hash, one audience; the code's authorization, so a replayed code ends the token.</summary>
    public static ClaimsPrincipal BuildPrincipal(AdminTokenDecision decision, string clientId, ClaimsPrincipal code)
    {
        var identity = new ClaimsIdentity(
            authenticationType: Microsoft.IdentityModel.Tokens.TokenValidationParameters.DefaultAuthenticationType,
            nameType: Claims.Name,
            roleType: Claims.Role);
        identity.SetClaim(Claims.Subject, decision.Subject)
            .SetClaim(AdminApiTokens.StampClaim, decision.StampHash);
        if (code.GetClaim(Claims.Name) is { } name)
        {
            identity.SetClaim(Claims.Name, name);
        }

        var principal = new ClaimsPrincipal(identity);
        principal.SetScopes(decision.Scopes)
            .SetAudiences(AdminApiTokens.Audience)
            .SetResources(AdminApiTokens.Audience)
            .SetPresenters(clientId)
            .SetAuthorizationId(code.GetAuthorizationId())
            .SetCreationDate(decision.IssuedAt)
            .SetAccessTokenLifetime(decision.ExpiresAt - decision.IssuedAt)
            .SetIdentityTokenLifetime(decision.ExpiresAt - decision.IssuedAt);
        principal.SetDestinations(claim => claim.Type == Claims.Name ? [Destinations.IdentityToken] : [Destinations.AccessToken]);
        return principal;
    }
}
