using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;

namespace PartnerGate.ResourceServer;

/// <summary>Who is calling, as PartnerGate vouched for it: the partner to filter data by and the grant that allowed the call.</summary>
public sealed record PartnerGateCaller(Guid PartnerId, Guid GrantId, string ClientId, string Subject, IReadOnlySet<string> Scopes);

public static class PartnerGateCallerExtensions
{
    public const string PartnerIdClaim = "partner_id";
    public const string GrantIdClaim = "grant_id";
    public const string ClientIdClaim = "client_id";

    /// <summary>
    /// The caller of an authenticated request, or null when the token does not name exactly one well-formed
    /// partner and grant (and client and subject): an API must then refuse rather than guess whose data to show.
    /// </summary>
    public static PartnerGateCaller? GetPartnerGateCaller(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity?.IsAuthenticated != true
            || !TryGuid(user, PartnerIdClaim, out var partnerId)
            || !TryGuid(user, GrantIdClaim, out var grantId)
            || Single(user, ClientIdClaim) is not { } clientId
            || Single(user, JwtRegisteredClaimNames.Sub) is not { } subject)
        {
            return null;
        }

        return new PartnerGateCaller(partnerId, grantId, clientId, subject, user.GrantedScopes());
    }

    private static bool TryGuid(ClaimsPrincipal user, string type, out Guid value)
    {
        value = Guid.Empty;
        return Single(user, type) is { } text && Guid.TryParseExact(text, "D", out value) && value != Guid.Empty;
    }

    // Two claims of one type would be ambiguous about whose data to serve: treat as missing.
    private static string? Single(ClaimsPrincipal user, string type)
    {
        var values = user.FindAll(type).Select(c => c.Value).Take(2).ToList();
        return values.Count == 1 && !string.IsNullOrWhiteSpace(values[0]) ? values[0] : null;
    }
}
