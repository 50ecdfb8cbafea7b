using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PartnerGate.Data;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.EndToEndTests.Infrastructure;

/// <summary>
/// A browser context holding a partner user's session that proved MFA (<c>amr</c> = <c>mfa</c>), as a sign-in
/// through their organisation's IdP with MFA gives it. For tests about what comes after (resources whose policy
/// requires MFA); the cookie is sealed with the portal's own cookie format and keys, exactly as a sign-in seals it.
/// </summary>
public static class MultiFactorSessions
{
    public static async Task<(Microsoft.Playwright.IPage Page, Pages.HomePage Home)> SignedInWithMultiFactorSessionAsync(this PortalFixture portal, string email)
    {
        string cookie;
        await using (var scope = portal.Services.CreateAsyncScope())
        {
            var user = await scope.ServiceProvider.GetRequiredService<UserManager<PartnerGateUser>>().FindByEmailAsync(email)
                ?? throw new InvalidOperationException($"No user {email}.");
            var principal = await scope.ServiceProvider.GetRequiredService<SignInManager<PartnerGateUser>>().CreateUserPrincipalAsync(user);
            ((ClaimsIdentity)principal.Identity!).AddClaims([
                new Claim(AuthenticationMethods.ClaimType, AuthenticationMethods.Password),
                new Claim(AuthenticationMethods.ClaimType, AuthenticationMethods.MultiFactor),
            ]);
            var options = scope.ServiceProvider.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme);
            var now = DateTimeOffset.UtcNow;
            cookie = options.TicketDataFormat.Protect(new AuthenticationTicket(principal,
                new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now.AddHours(1) }, IdentityConstants.ApplicationScheme));
        }

        var page = await portal.NewPageAsync();
        await page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "PartnerGate.Session", Value = cookie, Url = portal.BaseAddress.ToString() }]);
        var home = new Pages.HomePage(page);
        await page.GotoAsync("/");
        await home.WaitUntilInteractiveAsync();
        return (page, home);
    }
}
