using Microsoft.AspNetCore.Authorization;

namespace PartnerGate.ResourceServer;

/// <summary>All of <see cref="Scopes"/> must be in the token's space-separated <c>scope</c> claim.</summary>
public sealed class ScopeRequirement : IAuthorizationRequirement
{
    public ScopeRequirement(IEnumerable<string> scopes)
    {
        Scopes = [.. scopes];
        if (Scopes.Count == 0 || Scopes.Any(s => string.IsNullOrWhiteSpace(s) || s.Contains(' ', StringComparison.Ordinal)))
        {
            throw new ArgumentException("Name at least one scope; a scope is one non-empty word.", nameof(scopes));
        }
    }

    public IReadOnlyList<string> Scopes { get; }
}

internal sealed class ScopeAuthorizationHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        var granted = context.User.GrantedScopes();
        if (requirement.Scopes.All(granted.Contains))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
