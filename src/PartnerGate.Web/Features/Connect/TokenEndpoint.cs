using System.Security.Claims;
using System.Text.Json;
using Mediator;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Security;
using PartnerGate.Web.Infrastructure.TokenService;
using static OpenIddict.Abstractions.OpenIddictConstants;
using OAuthErrors = OpenIddict.Abstractions.OpenIddictConstants.Errors;

namespace PartnerGate.Web.Features.Connect;

/// <summary>
/// <c>POST /connect/token</c> after OpenIddict has validated the request and authenticated the client
/// (secret or private_key_jwt; a workload identity client only by its subject token). Grant-bound issuance happens in
/// <see cref="IssueAccessTokenCommand"/> and, for token exchange, <see cref="ExchangeSubjectTokenCommand"/>; this
/// endpoint only turns their decision into claims, or their refusal into the RFC 6749 §5.2 error.
/// </summary>
public static class TokenEndpoint
{
    public const int MaximumParameterLength = 8192;

    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(TokenServiceRegistration.TokenEndpoint, ExchangeAsync).AllowAnonymous().DisableAntiforgery();
        return endpoints;
    }

    private static async Task<IResult> ExchangeAsync(HttpContext http, IMediator mediator, CurrentUser currentUser, GrantAuthorizationCache authorizations)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict server request cannot be retrieved.");
        var clientId = request.ClientId
            ?? throw new InvalidOperationException("OpenIddict lets only authenticated clients reach the passthrough endpoint.");

        // No legitimate parameter comes near this (a client assertion is ~1 KB); refusing early keeps huge
        // values out of logs and error descriptions.
        var oversized = request.GetParameters().FirstOrDefault(p => p.Value.ToString()?.Length > MaximumParameterLength);
        if (oversized.Key is not null)
        {
            return Refuse(OAuthErrors.InvalidRequest, $"The '{oversized.Key}' parameter is too long (at most {MaximumParameterLength} characters).");
        }

        // RFC 6749 §3.2: parameters must not be repeated (only RFC 8707's resource may be). A repeated scope
        // would otherwise be read as one of its values, and the caller would get a token it did not quite ask for.
        var repeated = request.GetParameters()
            .FirstOrDefault(p => p.Key != Parameters.Resource && p.Value.Count > 1);
        if (repeated.Key is not null)
        {
            return Refuse(OAuthErrors.InvalidRequest, $"The '{repeated.Key}' parameter must not be repeated.");
        }

        // The client is authenticated: commands run as it, and the audit trail names it.
        currentUser.Set(ClientPrincipal.Create(clientId));

        if (clientId == AdminApiTokens.ConsoleClientId)
        {
            return await AdminConsoleTokenEndpoint.IssueAsync(http, mediator, request, clientId);
        }

        if (request.IsTokenExchangeGrantType())
        {
            return await ExchangeSubjectTokenAsync(http, mediator, authorizations, request, clientId);
        }

        AccessSubject subject;
        IReadOnlyList<string> scopes;
        ClaimsPrincipal? previous = null;
        if (request.IsClientCredentialsGrantType())
        {
            subject = AccessSubject.ForClient(clientId);
            scopes = [.. request.GetScopes()];
        }
        else if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            // OpenIddict has validated the code (PKCE, redirect_uri, single use) or refresh token, and
            // TokenStillBackedHandler has re-checked its grants. The user's grants decide again now: a
            // refreshed token never carries more than what is still granted, and never outlives it.
            var authenticated = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            previous = authenticated.Principal;
            if (previous?.GetClaim(Claims.Subject) is not { } userId)
            {
                return Refuse(OAuthErrors.InvalidGrant, "The authorization code or refresh token is no longer valid.");
            }

            subject = new AccessSubject(SubjectKind.User, userId);
            var granted = previous.GetScopes();
            var asked = request.IsRefreshTokenGrantType() && request.GetScopes() is { Length: > 0 } narrowed ? narrowed : granted;
            if (asked.Except(granted, StringComparer.Ordinal).FirstOrDefault() is { } extra)
            {
                return Refuse(OAuthErrors.InvalidScope, $"'{extra}' was not part of the original authorization.");
            }

            scopes = [.. asked];
        }
        else
        {
            return Refuse(OAuthErrors.UnsupportedGrantType, "This grant type is not supported by PartnerGate.");
        }

        var resources = request.GetResources();
        var decision = await mediator.Send(new IssueAccessTokenCommand(
            clientId, subject, request.GrantType!, scopes, [.. resources], previous?.GetAuthorizationId()), http.RequestAborted);
        if (!decision.IsSuccess)
        {
            return Refuse(decision.Error!);
        }

        authorizations.Remember(decision.Value.AuthorizationId);
        return Results.SignIn(BuildPrincipal(decision.Value, previous), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// RFC 8693: a workload token of the client's partner IdP for an access token (OpenIddict answers with
    /// <c>issued_token_type</c> access_token). No actor token (delegation chains are not accepted) and no
    /// <c>audience</c> parameter: the resource is named with <c>resource</c>, as for client credentials.
    /// </summary>
    private static async Task<IResult> ExchangeSubjectTokenAsync(HttpContext http, IMediator mediator, GrantAuthorizationCache authorizations,
        OpenIddictRequest request, string clientId)
    {
        if (!string.IsNullOrEmpty(request.ActorToken) || !string.IsNullOrEmpty(request.ActorTokenType))
        {
            return Refuse(OAuthErrors.InvalidRequest, "PartnerGate does not accept actor tokens; send the workload's token as subject_token only.");
        }

        if (request.Audiences is { Length: > 0 })
        {
            return Refuse(OAuthErrors.InvalidTarget, "PartnerGate does not take the audience parameter: name the resource with the resource parameter, for example resource=https://supply.acme.example/purchase-orders.");
        }

        var issuer = IssuerOf(http);
        var decision = await mediator.Send(new ExchangeSubjectTokenCommand(clientId, request.SubjectToken ?? string.Empty, request.SubjectTokenType ?? string.Empty,
            [.. request.GetScopes()], [.. request.GetResources()], issuer), http.RequestAborted);
        if (!decision.IsSuccess)
        {
            // The unit of work reports a unique-key violation at commit as already_exists: here only the consumed
            // subject token's key can collide, so the same token was exchanged at the same moment by another request.
            return decision.Error!.Code == "already_exists"
                ? Refuse(OAuthErrors.InvalidGrant, ExchangeSubjectTokenHandler.ReplayMessage)
                : Refuse(decision.Error!);
        }

        authorizations.Remember(decision.Value.AuthorizationId);
        return Results.SignIn(BuildPrincipal(decision.Value, null), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>The issuer OpenIddict puts in tokens for this request: the configured one, else the request's own address.</summary>
    private static string IssuerOf(HttpContext http)
    {
        var configured = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<TokenServiceOptions>>().Value.Issuer;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new Uri(configured, UriKind.Absolute).AbsoluteUri;
        }

        var request = http.Request;
        return $"{request.Scheme}://{request.Host}{request.PathBase}/";
    }

    /// <summary>The claims OpenIddict writes into the at+jwt (and, for users, the id_token and refresh token).</summary>
    public static ClaimsPrincipal BuildPrincipal(AccessTokenDecision decision, ClaimsPrincipal? user)
    {
        var identity = new ClaimsIdentity(
            authenticationType: Microsoft.IdentityModel.Tokens.TokenValidationParameters.DefaultAuthenticationType,
            nameType: Claims.Name,
            roleType: Claims.Role);
        identity.SetClaim(Claims.Subject, decision.Subject)
            .SetClaim(TokenClaims.PartnerId, decision.PartnerId.ToString())
            .SetClaim(GrantLifetimeCap.GrantsEndClaim, GrantLifetimeCap.Encode(decision.GrantsEndAt));
        foreach (var grantId in decision.GrantIds)
        {
            identity.AddClaim(TokenClaims.GrantId, grantId.ToString());
        }

        if (decision.Actor is { } actor)
        {
            // RFC 8693 §4.1: the workload that acts; iss says whose subject identifier sub is.
            identity.AddClaim(TokenClaims.Actor, JsonSerializer.SerializeToElement(new Dictionary<string, string>
            {
                [Claims.Subject] = actor.Subject,
                [Claims.Issuer] = actor.Issuer,
            }));
        }

        if (user is not null)
        {
            foreach (var type in new[] { Claims.Name, Claims.Email, Claims.PreferredUsername })
            {
                if (user.GetClaim(type) is { } value)
                {
                    identity.SetClaim(type, value);
                }
            }
        }

        var principal = new ClaimsPrincipal(identity);
        principal.SetScopes(decision.Scopes.Concat(decision.IdentityScopes))
            .SetAudiences(decision.Audience)
            .SetResources(decision.Audience)
            .SetPresenters(decision.ClientId)
            .SetAuthorizationId(decision.AuthorizationId)
            .SetCreationDate(decision.IssuedAt)
            .SetAccessTokenLifetime(decision.ExpiresAt - decision.IssuedAt)
            .SetIdentityTokenLifetime(decision.ExpiresAt - decision.IssuedAt);

        // A refresh token dies with its grants (invariant 1): never longer than the earliest grant's end.
        var refreshLifetime = decision.GrantsEndAt - decision.IssuedAt;
        principal.SetRefreshTokenLifetime(refreshLifetime);

        principal.SetDestinations(claim => claim.Type switch
        {
            Claims.Name or Claims.PreferredUsername when principal.HasScope(Scopes.Profile) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Email when principal.HasScope(Scopes.Email) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Name or Claims.PreferredUsername or Claims.Email => [],
            GrantLifetimeCap.GrantsEndClaim => [],
            _ => [Destinations.AccessToken],
        });
        return principal;
    }

    private static readonly HashSet<string> KnownOAuthErrors = new(StringComparer.Ordinal)
    {
        OAuthErrors.InvalidRequest, OAuthErrors.InvalidClient, OAuthErrors.InvalidGrant, OAuthErrors.UnauthorizedClient,
        OAuthErrors.UnsupportedGrantType, OAuthErrors.InvalidScope, OAuthErrors.InvalidTarget,
    };

    /// <summary>A refused command as an OAuth error: its own OAuth code, or invalid_request for bad input.</summary>
    private static IResult Refuse(Error error) => Refuse(
        KnownOAuthErrors.Contains(error.Code) ? error.Code : error.Kind == ErrorKind.Forbidden ? OAuthErrors.UnauthorizedClient : OAuthErrors.InvalidRequest,
        error.Message);

    /// <summary>An RFC 6749 §5.2 error; OpenIddict sets the status (401 for invalid_client, else 400).</summary>
    public static IResult Refuse(string error, string description) => Results.Forbid(
        authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme],
        properties: new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }));
}
