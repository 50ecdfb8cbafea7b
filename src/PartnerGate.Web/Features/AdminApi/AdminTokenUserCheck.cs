using System.Globalization;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using PartnerGate.Data;
using PartnerGate.Web.Infrastructure.Security;
using PartnerGate.Web.Infrastructure.TokenService;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace PartnerGate.Web.Features.AdminApi;

/// <summary>
/// Invariant 5 for the admin API: after OpenIddict has checked signature, issuer, <c>at+jwt</c>, audience and expiry,
/// every call re-checks the person behind the token (<see cref="AdminTokenUsers"/>). A killed user (new security stamp),
/// a locked-out account, a role taken away or an account that is gone is refused with <c>invalid_token</c> on the very
/// next call. On success the principal gets the user's current roles and id, so the same policies and the Mediator
/// pipeline see the person as the portal would.
/// </summary>
public sealed class AdminTokenUserCheck(IDbContextFactory<PartnerGateDbContext> contextFactory, TimeProvider clock)
    : IOpenIddictValidationHandler<OpenIddictValidationEvents.ValidateTokenContext>
{
    public static OpenIddictValidationHandlerDescriptor Descriptor { get; } =
        OpenIddictValidationHandlerDescriptor.CreateBuilder<OpenIddictValidationEvents.ValidateTokenContext>()
            .UseScopedHandler<AdminTokenUserCheck>()
            .SetOrder(OpenIddictValidationHandlers.Protection.ValidateAuthorizationEntry.Descriptor.Order + 1_000)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(OpenIddictValidationEvents.ValidateTokenContext context)
    {
        if (context.IsRejected || context.Principal is not { Identity: ClaimsIdentity identity } principal)
        {
            return;
        }

        await using var db = await contextFactory.CreateDbContextAsync(context.CancellationToken);
        var (user, refusal) = await AdminTokenUsers.CheckAsync(db, principal.GetClaim(Claims.Subject), principal.GetClaim(AdminApiTokens.StampClaim),
            principal.GetScopes(), clock.GetUtcNow(), context.CancellationToken);
        if (user is null)
        {
            context.Reject(error: OpenIddict.Abstractions.OpenIddictConstants.Errors.InvalidToken, description: refusal);
            return;
        }

        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, user.Id.ToString("D", CultureInfo.InvariantCulture)));
        identity.AddClaim(new Claim(PartnerGateClaims.DisplayName, user.DisplayName));
        foreach (var role in user.Roles)
        {
            identity.AddClaim(new Claim(identity.RoleClaimType, role));
            if (identity.RoleClaimType != ClaimTypes.Role)
            {
                // Domain rules read roles under the portal's claim type (CurrentUser.ToActor).
                identity.AddClaim(new Claim(ClaimTypes.Role, role));
            }
        }
    }
}
