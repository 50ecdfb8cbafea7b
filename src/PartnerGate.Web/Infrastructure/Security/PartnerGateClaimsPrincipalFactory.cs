using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PartnerGate.Data;

namespace PartnerGate.Web.Infrastructure.Security;

/// <summary>Adds the partner id and display name to the sign-in cookie, so every check can scope by partner without a lookup.</summary>
internal sealed class PartnerGateClaimsPrincipalFactory(
    UserManager<PartnerGateUser> userManager,
    RoleManager<IdentityRole<Guid>> roleManager,
    IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<PartnerGateUser, IdentityRole<Guid>>(userManager, roleManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PartnerGateUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(PartnerGateClaims.DisplayName, user.DisplayName));
        if (user.PartnerId is { } partnerId)
        {
            identity.AddClaim(new Claim(PartnerGateClaims.PartnerId, partnerId.ToString("D", CultureInfo.InvariantCulture)));
        }

        return identity;
    }
}
