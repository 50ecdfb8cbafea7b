using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;

namespace PartnerGate.ResourceServer;

public static class ScopeExtensions
{
    public const string ScopeClaim = "scope";

    /// <summary>Requires a PartnerGate token carrying every one of <paramref name="scopes"/>.</summary>
    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder policy, params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy
            .AddAuthenticationSchemes(PartnerGateResourceServerDefaults.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new ScopeRequirement(scopes));
    }

    /// <summary>The endpoint answers only callers whose PartnerGate token carries every one of <paramref name="scopes"/>.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder endpoint, params string[] scopes)
        where TBuilder : IEndpointConventionBuilder
    {
        var policy = new AuthorizationPolicyBuilder().RequireScope(scopes).Build();
        return endpoint.RequireAuthorization(policy);
    }

    /// <summary>
    /// The scopes in the token. RFC 9068 makes <c>scope</c> one space-separated string; a JSON array (which the
    /// handler turns into one claim per element) is read as well.
    /// </summary>
    public static IReadOnlySet<string> GrantedScopes(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindAll(ScopeClaim)
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToHashSet(StringComparer.Ordinal);
    }
}
