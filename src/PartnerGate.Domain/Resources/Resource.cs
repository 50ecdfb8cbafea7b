using PartnerGate.Domain.Common;

namespace PartnerGate.Domain.Resources;

public enum Sensitivity
{
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>A protected supply-network API: one OAuth audience with its scopes, a sensitivity and an access policy.</summary>
public sealed class Resource
{
    private readonly List<ResourceScope> scopes = [];

    private Resource()
    {
        Name = string.Empty;
        DisplayName = string.Empty;
        Audience = string.Empty;
        Description = string.Empty;
        Policy = null!;
    }

    public Guid Id { get; private set; }

    /// <summary>Short, URL-safe name (<c>purchase-orders</c>).</summary>
    public string Name { get; private set; }
    public string DisplayName { get; private set; }
    public string Description { get; private set; }

    /// <summary>The OAuth audience tokens for this resource carry (<c>https://supply.acme.example/purchase-orders</c>).</summary>
    public string Audience { get; private set; }
    public Sensitivity Sensitivity { get; private set; }
    public IReadOnlyList<ResourceScope> Scopes => scopes;
    public AccessPolicy Policy { get; private set; }

    public static Result<Resource> Define(
        string name, string displayName, string description, string audience, Sensitivity sensitivity,
        IEnumerable<ResourceScope> scopes, AccessPolicy policy, Guid? id = null)
    {
        if (string.IsNullOrWhiteSpace(name) || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            return Error.Validation("resource.name_invalid", "A resource name uses lower-case letters, digits and hyphens only.");
        }

        if (!Uri.TryCreate(audience, UriKind.Absolute, out var audienceUri) || audienceUri.Scheme != Uri.UriSchemeHttps)
        {
            return Error.Validation("resource.audience_invalid", "The audience must be an absolute https URI.");
        }

        var scopeList = scopes.Select(s => s with { }).ToList();
        if (scopeList.Count == 0)
        {
            return Error.Validation("resource.scopes_required", "A resource needs at least one scope.");
        }

        if (scopeList.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count() != scopeList.Count)
        {
            return Error.Validation("resource.scopes_duplicate", "Scope names must be unique within a resource.");
        }

        var policyCheck = policy.CheckAgainst(sensitivity);
        if (!policyCheck.IsSuccess)
        {
            return policyCheck.Error!;
        }

        var resource = new Resource
        {
            Id = id ?? Guid.NewGuid(),
            Name = name,
            DisplayName = displayName.Trim(),
            Description = description.Trim(),
            Audience = audience,
            Sensitivity = sensitivity,
            Policy = policy,
        };
        resource.scopes.AddRange(scopeList);
        return resource;
    }

    public bool HasScope(string scope) => scopes.Any(s => s.Name == scope);
}

public sealed record ResourceScope(string Name, string Description);
