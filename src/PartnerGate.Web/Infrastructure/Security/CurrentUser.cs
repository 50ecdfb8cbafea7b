using System.Globalization;
using System.Security.Claims;
using PartnerGate.Data;
using PartnerGate.Domain.Common;

namespace PartnerGate.Web.Infrastructure.Security;

/// <summary>The signed-in user of the current request or Blazor circuit, as handlers see them.</summary>
public interface ICurrentUser
{
    ClaimsPrincipal Principal { get; }
    bool IsAuthenticated { get; }
    Guid? UserId { get; }
    Guid? PartnerId { get; }
    string DisplayName { get; }
    bool IsInRole(string role);

    /// <summary>The session was opened with more than one factor (<c>amr</c> holds <c>mfa</c>): a staff authenticator code, or a partner IdP that proved MFA.</summary>
    bool HasMultiFactorSession { get; }

    /// <summary>The user as domain rules see them; only for a signed-in user.</summary>
    Actor ToActor();
    AuditActor ToAuditActor();
}

/// <summary>
/// Holds the principal for one DI scope. An HTTP request sets it in middleware; a Blazor circuit (a scope
/// that outlives the request that opened it) sets it through <see cref="CurrentUserCircuitHandler"/>.
/// </summary>
public sealed class CurrentUser : ICurrentUser
{
    private static readonly ClaimsPrincipal Anonymous = new(new ClaimsIdentity());

    public ClaimsPrincipal Principal { get; private set; } = Anonymous;

    public bool IsAuthenticated => Principal.Identity?.IsAuthenticated == true;

    public Guid? UserId => ParseGuid(ClaimTypes.NameIdentifier);

    public Guid? PartnerId => ParseGuid(PartnerGateClaims.PartnerId);

    public string DisplayName => Principal.FindFirstValue(PartnerGateClaims.DisplayName) ?? Principal.Identity?.Name ?? "anonymous";

    public bool IsInRole(string role) => Principal.IsInRole(role);

    public bool HasMultiFactorSession => Principal.HasClaim(AuthenticationMethods.ClaimType, AuthenticationMethods.MultiFactor);

    public void Set(ClaimsPrincipal principal) => Principal = principal;

    public Actor ToActor()
    {
        var userId = UserId ?? throw new InvalidOperationException("Only a signed-in user acts.");
        var roles = Principal.FindAll(ClaimTypes.Role).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        return new Actor(userId, DisplayName, PartnerId, roles);
    }

    public AuditActor ToAuditActor() => Principal.HasClaim(PartnerGateClaims.System, "true") && Principal.Identity?.AuthenticationType == SystemPrincipal.AuthenticationType
        ? AuditActor.System
        : Principal.Identity?.AuthenticationType == ClientPrincipal.AuthenticationType && Principal.FindFirstValue(PartnerGateClaims.ClientId) is { } clientId
        ? new AuditActor($"client:{clientId}", clientId)
        : UserId is { } id
        ? new AuditActor(id.ToString(), Principal.Identity?.Name ?? DisplayName)
        : new AuditActor(null, "anonymous");

    private Guid? ParseGuid(string claimType) =>
        Guid.TryParse(Principal.FindFirstValue(claimType), CultureInfo.InvariantCulture, out var value) ? value : null;
}

/// <summary>
/// Authentication method references (RFC 8176) on the session cookie, claim <c>amr</c>. Sign-in writes them; they
/// survive the cookie's security-stamp refresh (see <see cref="PreserveAuthenticationMethods"/>).
/// </summary>
public static class AuthenticationMethods
{
    public const string ClaimType = "amr";
    public const string Password = "pwd";
    public const string OneTimePassword = "otp";
    public const string MultiFactor = "mfa";

    /// <summary>
    /// Identity re-creates the principal from the database when it re-validates the security stamp (every 30 minutes),
    /// which would drop how the session was opened; a session that proved MFA must not silently lose it.
    /// </summary>
    public static Task PreserveAuthenticationMethods(Microsoft.AspNetCore.Identity.SecurityStampRefreshingPrincipalContext context)
    {
        if (context.NewPrincipal?.Identity is ClaimsIdentity identity && context.CurrentPrincipal is { } current)
        {
            foreach (var claim in current.FindAll(ClaimType).Where(c => !identity.HasClaim(ClaimType, c.Value)))
            {
                identity.AddClaim(new Claim(ClaimType, claim.Value));
            }
        }

        return Task.CompletedTask;
    }
}
