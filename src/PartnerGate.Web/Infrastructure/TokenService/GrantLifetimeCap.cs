using System.Globalization;
using OpenIddict.Abstractions;
using OpenIddict.Server;

namespace PartnerGate.Web.Infrastructure.TokenService;

/// <summary>
/// Invariant 1 enforced at the last moment: whatever lifetime OpenIddict computed (its own clock reading plus
/// the configured lifetime, taken a few milliseconds after the decision), no token derived from grants —
/// access, refresh, code — expires after the earliest of those grants ends. The end travels in a private
/// claim that is never written to the access or identity token.
/// </summary>
public sealed class GrantLifetimeCap : IOpenIddictServerHandler<OpenIddictServerEvents.GenerateTokenContext>
{
    /// <summary>Unix seconds of the earliest covering grant's end.</summary>
    public const string GrantsEndClaim = "pg_grants_end";

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.GenerateTokenContext>()
            .UseSingletonHandler<GrantLifetimeCap>()
            .SetOrder(OpenIddictServerHandlers.Protection.AttachTokenMetadata.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public static string Encode(DateTimeOffset grantsEnd) => grantsEnd.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public ValueTask HandleAsync(OpenIddictServerEvents.GenerateTokenContext context)
    {
        if (context.Principal?.GetClaim(GrantsEndClaim) is { } value
            && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            var end = DateTimeOffset.FromUnixTimeSeconds(seconds);
            var expires = context.Principal.GetExpirationDate();
            if (expires is null || expires > end)
            {
                context.Principal.SetExpirationDate(end);
            }
        }

        return default;
    }
}
