using System.Security.Claims;
using Mediator;
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
/// The signed-in user asks the admin console (PartnerGate's own first-party client) for admin API scopes. Only
/// manufacturer staff with a multi-factor session get a code, and only for the scopes their role allows: a partner
/// member gets <c>access_denied</c>, an approver asking for <c>admin.audit</c> gets <c>invalid_scope</c> — never a
/// smaller token. No consent page: the client is PartnerGate itself, and the sign-in is audited here.
/// </summary>
/// <param name="Scopes">Requested scopes: admin scopes, optionally <c>openid</c>.</param>
/// <param name="Resources">RFC 8707 resource indicators: none, or the admin API's audience.</param>
[RequirePolicy(Policies.SignedIn)]
public sealed record AuthorizeAdminConsoleCommand(IReadOnlyList<string> Scopes, IReadOnlyList<string> Resources)
    : ICommand<Result<AdminConsoleAuthorization>>, ITokenTarget;

public sealed class AuthorizeAdminConsoleValidator : FluentValidation.AbstractValidator<AuthorizeAdminConsoleCommand>
{
    public AuthorizeAdminConsoleValidator() => Include(new TokenTargetValidator());
}

/// <summary>Who the code is for and what it carries.</summary>
public sealed record AdminConsoleAuthorization(Guid UserId, string DisplayName, string StampHash, IReadOnlyList<string> Scopes);

public sealed class AuthorizeAdminConsoleHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser, TimeProvider clock)
    : ICommandHandler<AuthorizeAdminConsoleCommand, Result<AdminConsoleAuthorization>>
{
    public async ValueTask<Result<AdminConsoleAuthorization>> Handle(AuthorizeAdminConsoleCommand command, CancellationToken cancellationToken)
    {
        if (currentUser.UserId is not { } userId || currentUser.PartnerId is not null
            || !(currentUser.IsInRole(Roles.Administrator) || currentUser.IsInRole(Roles.Approver)))
        {
            return ConsentRefusals.AccessDenied("The admin API is for manufacturer staff (administrators and approvers) only.");
        }

        if (!currentUser.HasMultiFactorSession)
        {
            return ConsentRefusals.AccessDenied("Sign in to PartnerGate with your authenticator code first.");
        }

        var asked = command.Scopes.Distinct(StringComparer.Ordinal).ToList();
        if (asked.FirstOrDefault(s => s != Scopes.OpenId && !AdminApiTokens.AllScopes.Contains(s)) is { } unknown)
        {
            return OAuthRefusals.InvalidScope($"'{unknown}' is not a scope of the admin console; ask for {string.Join(" and/or ", AdminApiTokens.AllScopes)}.");
        }

        var adminScopes = asked.Where(AdminApiTokens.AllScopes.Contains).ToList();
        if (adminScopes.Count == 0)
        {
            return OAuthRefusals.InvalidScope($"Ask for at least one admin scope: {string.Join(", ", AdminApiTokens.AllScopes)}.");
        }

        if (command.Resources.FirstOrDefault(r => r != AdminApiTokens.Audience) is { } other)
        {
            return OAuthRefusals.InvalidTarget($"The admin console reaches only '{AdminApiTokens.Audience}', not '{other}'.");
        }

        // Live, not from the cookie: a role taken away a moment ago counts.
        var (user, refusal) = await AdminTokenUsers.CheckAsync(unitOfWork.Db, userId.ToString(), null, [], clock.GetUtcNow(), cancellationToken);
        if (user is null)
        {
            return ConsentRefusals.AccessDenied(refusal!);
        }

        var allowed = AdminApiTokens.ScopesFor(user.Roles);
        if (adminScopes.FirstOrDefault(s => !allowed.Contains(s)) is { } beyond)
        {
            return OAuthRefusals.InvalidScope($"Your role does not allow '{beyond}': {AdminApiTokens.ScopeDescriptions[beyond]}");
        }

        unitOfWork.Audit("admin_api.authorized", "ApiClient", AdminApiTokens.ConsoleClientId, null, new
        {
            client = AdminApiTokens.ConsoleClientId,
            scopes = adminScopes,
        });
        return new AdminConsoleAuthorization(user.Id, user.DisplayName, user.StampHash, asked);
    }
}

/// <summary>The admin console's branch of <c>/connect/authorize</c>: decide, then let OpenIddict answer with the code.</summary>
public static class AdminConsoleAuthorizeEndpoint
{
    public static bool IsFor(OpenIddictRequest request) => string.Equals(request.ClientId, AdminApiTokens.ConsoleClientId, StringComparison.Ordinal);

    public static async Task<IResult> AuthorizeAsync(OpenIddictRequest request, IMediator mediator, CancellationToken cancellationToken)
    {
        var decided = await mediator.Send(new AuthorizeAdminConsoleCommand([.. request.GetScopes()], [.. request.GetResources()]), cancellationToken);
        if (!decided.IsSuccess)
        {
            var error = decided.Error!;
            return TokenEndpoint.Refuse(
                error.Code is OAuthErrors.InvalidScope or OAuthErrors.InvalidTarget or OAuthErrors.InvalidRequest ? error.Code : OAuthErrors.AccessDenied,
                error.Message);
        }

        var authorization = decided.Value;
        var identity = new ClaimsIdentity(
            authenticationType: Microsoft.IdentityModel.Tokens.TokenValidationParameters.DefaultAuthenticationType,
            nameType: Claims.Name,
            roleType: Claims.Role);
        identity.SetClaim(Claims.Subject, authorization.UserId.ToString())
            .SetClaim(Claims.Name, authorization.DisplayName)
            .SetClaim(AdminApiTokens.StampClaim, authorization.StampHash);
        identity.SetScopes(authorization.Scopes)
            .SetAudiences(AdminApiTokens.Audience)
            .SetResources(AdminApiTokens.Audience);
        identity.SetDestinations(claim => claim.Type == Claims.Name ? [Destinations.IdentityToken] : [Destinations.AccessToken]);

        // OpenIddict creates the ad-hoc authorization the code belongs to: a code used twice revokes it and its tokens.
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}
