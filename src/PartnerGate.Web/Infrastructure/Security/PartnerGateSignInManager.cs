using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PartnerGate.Data;
using PartnerGate.Domain.Partners;

namespace PartnerGate.Web.Infrastructure.Security;

/// <summary>
/// Identity's sign-in manager, plus: nobody of a suspended partner signs in with a password (federated sign-in refuses
/// them in CompleteFederatedSignIn). Identity reports it as "not allowed", which the sign-in page shows as a refusal.
/// </summary>
public sealed class PartnerGateSignInManager(
    UserManager<PartnerGateUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<PartnerGateUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<PartnerGateUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<PartnerGateUser> confirmation,
    IDbContextFactory<PartnerGateDbContext> contextFactory)
    : SignInManager<PartnerGateUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(PartnerGateUser user)
    {
        if (!await base.CanSignInAsync(user))
        {
            return false;
        }

        if (user.PartnerId is not { } partnerId)
        {
            return true;
        }

        await using var db = await contextFactory.CreateDbContextAsync();
        return await db.Partners.AsNoTracking().AnyAsync(p => p.Id == partnerId && p.Status == PartnerStatus.Active);
    }
}
