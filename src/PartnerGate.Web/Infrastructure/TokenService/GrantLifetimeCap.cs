using System.Globalization;
using OpenIddict.Abstractions;
using OpenIddict.Server;

namespace PartnerGate.Web.Infrastructure.TokenService;

/// <summary>
/// Invariant 1 enforced at the last moment. OpenIddict stamps each token it prepares with its own clock reading
/// (taken after PartnerGate's decision, so later by the time the database work took) plus the lifetime it was
/// given: under load that can land a second past the grant's end. Once every token principal is prepared and
/// before any is signed, this caps each one's expiry at the earliest covering grant's end. The end travels in a
/// private claim on the sign-in principal; it is never written to any token (the prepared principals no longer
/// carry it, which is why the cap reads it from the sign-in principal, not from the token's own).
/// </summary>
public sealed class GrantLifetimeCap : IOpenIddictServerHandler<OpenIddictServerEvents.ProcessSignInContext>
{
    /// <summary>Unix seconds of the earliest covering grant's end.</summary>
    public const string GrantsEndClaim = "pg_grants_end";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ProcessSignInContext>()
            .UseSingletonHandler<GrantLifetimeCap>()
            .SetOrder(OpenIddictServerHandlers.PrepareUserCodePrincipal.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    /// <summary>Whole seconds, rounded down: a JWT's exp cannot carry the fraction, and rounding up would pass the end.</summary>
    public static string Encode(DateTimeOffset grantsEnd) => grantsEnd.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public ValueTask HandleAsync(OpenIddictServerEvents.ProcessSignInContext context)
    {
        if (context.Principal?.GetClaim(GrantsEndClaim) is not { } value
            || !long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return default;
        }

        var end = DateTimeOffset.FromUnixTimeSeconds(seconds);
        foreach (var principal in new[]
                 {
                     context.AccessTokenPrincipal, context.AuthorizationCodePrincipal, context.RefreshTokenPrincipal,
                     context.IdentityTokenPrincipal,
                 })
        {
            if (principal is not null && (principal.GetExpirationDate() is not { } expires || expires > end))
            {
                principal.SetExpirationDate(end);
            }
        }

        return default;
    }
}
