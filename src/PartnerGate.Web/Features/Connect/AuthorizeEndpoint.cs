using System.Security.Claims;
using Mediator;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Primitives;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.TokenService;
using static OpenIddict.Abstractions.OpenIddictConstants;
using OAuthErrors = OpenIddict.Abstractions.OpenIddictConstants.Errors;

namespace PartnerGate.Web.Features.Connect;

/// <summary>
/// <c>GET|POST /connect/authorize</c> (authorization code with PKCE S256) after OpenIddict has validated the
/// client, the exact redirect URI, the response type and the code challenge. Without a PartnerGate session
/// the user signs in first and comes back here; then <see cref="GetConsentDetailsQuery"/> decides up front
/// whether this client may act for this user with these scopes (else <c>access_denied</c> / <c>invalid_scope</c>,
/// never a smaller grant), the user consents on <c>/connect/consent</c>, and the consent form posts back here.
/// </summary>
public static class AuthorizeEndpoint
{
    public const string ConsentPath = "/connect/consent";
    public const string AcceptField = "submit.Accept";
    public const string DenyField = "submit.Deny";

    /// <summary>Form fields of the consent page that are not part of the OAuth request.</summary>
    private static readonly HashSet<string> ConsentFields = new(StringComparer.Ordinal) { AcceptField, DenyField, "__RequestVerificationToken" };

    public static IEndpointRouteBuilder MapAuthorizeEndpoint(this IEndpointRouteBuilder endpoints)
    {
        // Anonymous and without automatic antiforgery: a client may send the authorization request itself as a
        // POST; only the consent decision (which carries the page's token) is checked, below.
        endpoints.MapMethods(TokenServiceRegistration.AuthorizationEndpoint, [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync)
            .AllowAnonymous()
            .DisableAntiforgery();
        return endpoints;
    }

    private static async Task<IResult> AuthorizeAsync(
        HttpContext http, IMediator mediator, IAntiforgery antiforgery,
        IOpenIddictApplicationManager applications, IOpenIddictAuthorizationManager authorizations)
    {
        var request = http.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenIddict server request cannot be retrieved.");

        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (!session.Succeeded)
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return TokenEndpoint.Refuse(OAuthErrors.LoginRequired, "Sign in to PartnerGate first.");
            }

            // Back to this very request (GET or POST) once signed in.
            return Results.Challenge(new AuthenticationProperties { RedirectUri = Here(http) }, [IdentityConstants.ApplicationScheme]);
        }

        // PartnerGate's own admin console: staff only, scopes by role, no consent page (the client is PartnerGate itself).
        if (AdminConsoleAuthorizeEndpoint.IsFor(request))
        {
            return await AdminConsoleAuthorizeEndpoint.AuthorizeAsync(request, mediator, http.RequestAborted);
        }

        var decision = await ConsentDecisionAsync(http, antiforgery);
        if (decision == ConsentDecision.Forged)
        {
            // Not a redirect to the client: a forged consent must not look like a user's answer.
            return TypedResults.Text("The consent form expired or did not come from PartnerGate. Start again from the application.",
                "text/plain", statusCode: StatusCodes.Status400BadRequest);
        }

        if (decision == ConsentDecision.Denied)
        {
            return TokenEndpoint.Refuse(OAuthErrors.AccessDenied, "You declined to let the application act for you.");
        }

        // Asked again on every step: the consent page and its form are only what the user saw, never proof.
        var details = await mediator.Send(new GetConsentDetailsQuery(
            request.ClientId!, request.RedirectUri ?? string.Empty, [.. request.GetScopes()], [.. request.GetResources()]), http.RequestAborted);
        if (!details.IsSuccess)
        {
            return Refuse(details.Error!);
        }

        if (decision == ConsentDecision.Accepted)
        {
            return await IssueCodeAsync(details.Value, mediator, applications, authorizations, http.RequestAborted);
        }

        if (request.HasPromptValue(PromptValues.None))
        {
            var applicationId = await ApplicationIdAsync(applications, details.Value.ClientId, http.RequestAborted);
            var earlier = authorizations.FindAsync(details.Value.UserId.ToString(), applicationId, Statuses.Valid, AuthorizationTypes.Permanent,
                [.. details.Value.AllScopes], http.RequestAborted);

            // Finish (and so close) the query before writing through the same context: issuing the code from
            // inside the loop left a reader open on its connection, and SQLite then refused the write as locked.
            var consented = false;
            await foreach (var _ in earlier)
            {
                consented = true;
                break;
            }

            return consented
                ? await IssueCodeAsync(details.Value, mediator, applications, authorizations, http.RequestAborted)
                : TokenEndpoint.Refuse(OAuthErrors.ConsentRequired, "You have not yet allowed this application to act for you.");
        }

        return Results.Redirect(ConsentPath + QueryString.Create(RequestParameters(http)));
    }

    private enum ConsentDecision
    {
        None,
        Accepted,
        Denied,
        Forged,
    }

    private static async Task<ConsentDecision> ConsentDecisionAsync(HttpContext http, IAntiforgery antiforgery)
    {
        if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.HasFormContentType)
        {
            return ConsentDecision.None;
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var accepted = form.ContainsKey(AcceptField);
        if (!accepted && !form.ContainsKey(DenyField))
        {
            return ConsentDecision.None;
        }

        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return ConsentDecision.Forged;
        }

        return accepted ? ConsentDecision.Accepted : ConsentDecision.Denied;
    }

    /// <summary>
    /// Creates the permanent authorization the code (and every token redeemed from it) belongs to — so a code
    /// used twice revokes it — links it to the covering grants, and lets OpenIddict answer with the code.
    /// </summary>
    private static async Task<IResult> IssueCodeAsync(
        ConsentDetails details, IMediator mediator, IOpenIddictApplicationManager applications, IOpenIddictAuthorizationManager authorizations,
        CancellationToken cancellationToken)
    {
        var identity = new ClaimsIdentity(
            authenticationType: Microsoft.IdentityModel.Tokens.TokenValidationParameters.DefaultAuthenticationType,
            nameType: Claims.Name,
            roleType: Claims.Role);
        identity.SetClaim(Claims.Subject, details.UserId.ToString())
            .SetClaim(Claims.Name, details.UserName)
            .SetClaim(Claims.Email, details.UserEmail)
            .SetClaim(TokenClaims.PartnerId, details.PartnerId.ToString());

        // The code carries its grants: TokenStillBackedHandler refuses it once one of them has ended.
        foreach (var grantId in details.GrantIds)
        {
            identity.AddClaim(TokenClaims.GrantId, grantId.ToString());
        }

        identity.SetScopes(details.AllScopes)
            .SetAudiences(details.Audience)
            .SetResources(details.Audience);

        var applicationId = await ApplicationIdAsync(applications, details.ClientId, cancellationToken);
        var authorization = await authorizations.CreateAsync(identity, details.UserId.ToString(), applicationId, AuthorizationTypes.Permanent,
            identity.GetScopes(), cancellationToken);
        var authorizationId = await authorizations.GetIdAsync(authorization, cancellationToken)
            ?? throw new InvalidOperationException("OpenIddict created an authorization without an id.");
        identity.SetAuthorizationId(authorizationId);

        var recorded = await mediator.Send(new RecordConsentCommand(authorizationId, details.ClientId, details.PartnerId, details.GrantIds,
            [.. details.AllScopes]), cancellationToken);
        if (!recorded.IsSuccess)
        {
            await authorizations.TryRevokeAsync(authorization, cancellationToken);
            return Refuse(recorded.Error!);
        }

        identity.SetDestinations(claim => claim.Type switch
        {
            Claims.Name when identity.HasScope(Scopes.Profile) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Email when identity.HasScope(Scopes.Email) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Name or Claims.Email => [],
            _ => [Destinations.AccessToken],
        });
        return Results.SignIn(new ClaimsPrincipal(identity), properties: null, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<string> ApplicationIdAsync(IOpenIddictApplicationManager applications, string clientId, CancellationToken cancellationToken)
    {
        var application = await applications.FindByClientIdAsync(clientId, cancellationToken)
            ?? throw new InvalidOperationException("OpenIddict validated a client it cannot find.");
        return await applications.GetIdAsync(application, cancellationToken)
            ?? throw new InvalidOperationException("The client application has no id.");
    }

    /// <summary>A refusal as the OAuth error the client receives at its redirect URI (RFC 6749 §4.1.2.1).</summary>
    private static IResult Refuse(Error error) => TokenEndpoint.Refuse(
        error.Code is OAuthErrors.AccessDenied or OAuthErrors.InvalidScope or OAuthErrors.InvalidTarget or OAuthErrors.InvalidRequest
            ? error.Code
            : OAuthErrors.AccessDenied,
        error.Message);

    /// <summary>The authorization request's own parameters (query or form), without the consent page's fields.</summary>
    public static IEnumerable<KeyValuePair<string, StringValues>> RequestParameters(HttpContext http) =>
        (HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType
            ? http.Request.Form.AsEnumerable()
            : http.Request.Query.AsEnumerable())
        .Where(p => !ConsentFields.Contains(p.Key));

    private static string Here(HttpContext http) => http.Request.PathBase + http.Request.Path + QueryString.Create(RequestParameters(http));
}
