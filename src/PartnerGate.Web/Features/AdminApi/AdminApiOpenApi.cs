using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using PartnerGate.Web.Infrastructure.TokenService;

namespace PartnerGate.Web.Features.AdminApi;

/// <summary>
/// The OpenAPI document of the admin API: only <c>/api/admin/**</c>, an OAuth 2 authorization-code security scheme
/// (PKCE S256, the admin console client) naming the admin scopes, a plain bearer scheme for tokens got elsewhere
/// (curl), and per operation the scope its policy needs.
/// </summary>
public static class AdminApiOpenApi
{
    public const string OAuthScheme = "oauth2";
    public const string BearerScheme = "bearer";

    public static void Configure(OpenApiOptions options)
    {
        options.ShouldInclude = description => description.RelativePath?.StartsWith("api/admin/", StringComparison.Ordinal) == true;
        options.AddDocumentTransformer((document, context, _) =>
        {
            var origin = context.ApplicationServices.GetRequiredService<IHttpContextAccessor>().HttpContext?.Request is { } request
                ? $"{request.Scheme}://{request.Host}{request.PathBase}"
                : "http://localhost:5080";
            document.Info = new OpenApiInfo
            {
                Title = "PartnerGate admin API",
                Version = "v1",
                Description = "Grants and access requests of every partner, for manufacturer staff. Sign in with the admin console client "
                    + $"(`{AdminApiTokens.ConsoleClientId}`, authorization code + PKCE S256, staff MFA) for a token of audience "
                    + $"`{AdminApiTokens.Audience}`; it lives {AdminApiTokens.Lifetime.TotalMinutes:0} minutes and every call re-checks your account and role. "
                    + "Portal cookies do not authorise API calls. Errors are RFC 9457 problem details.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
            document.Components.SecuritySchemes[OAuthScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.OAuth2,
                Description = $"PartnerGate sign-in as manufacturer staff through the admin console client `{AdminApiTokens.ConsoleClientId}` (public client, PKCE S256 required).",
                Flows = new OpenApiOAuthFlows
                {
                    AuthorizationCode = new OpenApiOAuthFlow
                    {
                        AuthorizationUrl = new Uri(origin + TokenServiceRegistration.AuthorizationEndpoint),
                        TokenUrl = new Uri(origin + TokenServiceRegistration.TokenEndpoint),
                        Scopes = AdminApiTokens.ScopeDescriptions.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal),
                    },
                },
            };
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT (at+jwt)",
                Description = $"An admin API access token (audience `{AdminApiTokens.Audience}`) obtained through the admin console client.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var policy = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Select(a => a.Policy).LastOrDefault(p => p is not null);
            if (AdminApiPolicies.ScopeOf(policy) is { } scope)
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OAuthScheme, context.Document)] = [scope] });
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
            }

            return Task.CompletedTask;
        });
    }
}
