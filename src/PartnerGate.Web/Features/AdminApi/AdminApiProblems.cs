using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;
using OpenIddict.Validation.AspNetCore;
using PartnerGate.Domain.Common;

namespace PartnerGate.Web.Features.AdminApi;

/// <summary>Marks the admin API's endpoints, so refusals there are RFC 9457 problems with RFC 6750 challenges.</summary>
public sealed class AdminApiEndpointMetadata;

/// <summary>
/// Every answer of the admin API that is not data is an RFC 9457 problem (<c>application/problem+json</c>): failed
/// results of the Mediator messages here, and the refusals of authentication and authorization (below).
/// </summary>
public static class AdminApiProblems
{
    public const string ProblemTypeBase = "https://partnergate.example/problems/";

    public static IResult From(Error error) => error.Kind switch
    {
        ErrorKind.Validation when error.FieldErrors is { Count: > 0 } fields =>
            TypedResults.ValidationProblem(fields.ToDictionary(f => f.Key, f => f.Value), error.Message, title: "The request is not valid.", type: ProblemTypeBase + error.Code),
        _ => TypedResults.Problem(error.Message, statusCode: StatusOf(error.Kind), title: TitleOf(error.Kind), type: ProblemTypeBase + error.Code),
    };

    public static IResult Of<T>(Result<T> result) => result.IsSuccess ? TypedResults.Ok(result.Value) : From(result.Error!);

    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Validation => StatusCodes.Status400BadRequest,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status422UnprocessableEntity,
    };

    private static string TitleOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Validation => "The request is not valid.",
        ErrorKind.NotFound => "Not found.",
        ErrorKind.Forbidden => "Forbidden.",
        ErrorKind.Conflict => "Conflict.",
        _ => "Refused by policy.",
    };

    /// <summary>RFC 6750 §3: the challenge, with an error only when a token was presented.</summary>
    public static string Challenge(string? error, string? description, string? scope)
    {
        var parts = new List<string> { "realm=\"partnergate-admin-api\"" };
        if (error is not null)
        {
            parts.Add($"error=\"{error}\"");
        }

        if (description is not null)
        {
            parts.Add($"error_description=\"{Quote(description)}\"");
        }

        if (scope is not null)
        {
            parts.Add($"scope=\"{scope}\"");
        }

        return "Bearer " + string.Join(", ", parts);
    }

    // A quoted-string may not hold '"' or '\'; the description is PartnerGate's own text, kept to printable ASCII.
    private static string Quote(string text) => new([.. text.Where(c => c is >= ' ' and <= '~' && c is not '"' and not '\\')]);

    public static async Task WriteAsync(HttpContext http, int status, string title, string detail, string challenge)
    {
        http.Response.StatusCode = status;
        http.Response.Headers.WWWAuthenticate = challenge;
        http.Response.Headers.CacheControl = "no-store";
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = ProblemTypeBase + (status == 401 ? "unauthorized" : "insufficient_scope"), Instance = http.Request.Path };
        await TypedResults.Problem(problem).ExecuteAsync(http);
    }
}

/// <summary>
/// 401 and 403 of the admin API as problems with the RFC 6750 challenge: no token → <c>Bearer</c> without error; a bad,
/// expired, foreign (a partner's resource audience) or no longer backed token → <c>invalid_token</c> with the reason; a
/// good token without the scope → 403 <c>insufficient_scope</c> naming it. Elsewhere the default handler answers.
/// </summary>
public sealed class AdminApiAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<AdminApiEndpointMetadata>() is null || authorizeResult.Succeeded)
        {
            await fallback.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var policyName = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
        var scope = AdminApiPolicies.ScopeOf(policyName);
        if (authorizeResult.Forbidden)
        {
            await AdminApiProblems.WriteAsync(context, StatusCodes.Status403Forbidden, "Insufficient scope.",
                $"This call needs a PartnerGate admin token with the scope '{scope}' and a role that allows it.",
                AdminApiProblems.Challenge("insufficient_scope", $"The access token lacks the scope {scope}.", scope));
            return;
        }

        var presented = context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        string? description = null;
        if (presented)
        {
            var authenticated = await context.AuthenticateAsync(AdminApiPolicies.Scheme);
            description = authenticated.Properties?.GetString(OpenIddictValidationAspNetCoreConstants.Properties.ErrorDescription)
                ?? "The access token is not valid for the PartnerGate admin API.";
        }

        await AdminApiProblems.WriteAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized.",
            description ?? "Send a PartnerGate admin API access token (Authorization: Bearer …); portal sessions do not authorise API calls.",
            AdminApiProblems.Challenge(presented ? "invalid_token" : null, description, presented ? null : scope));
    }
}
