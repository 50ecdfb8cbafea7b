using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.ComponentTests;

/// <summary>
/// Base for component tests, as MudBlazor's own BunitTest: loose JS interop, MudBlazor services with no
/// transitions. Authorization uses PartnerGate's real policies against a principal the test chooses.
/// </summary>
public abstract class MudComponentTest : BunitContext
{
    protected MudComponentTest()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(options =>
        {
            options.SnackbarConfiguration.ShowTransitionDuration = 0;
            options.SnackbarConfiguration.HideTransitionDuration = 0;
            options.PopoverOptions.CheckForPopoverProvider = false;
        });
        Services.AddAuthorizationBuilder().AddPartnerGatePolicies();

        // bUnit registers placeholder authorization services first; the real ones replace them so
        // AuthorizeView evaluates PartnerGate's actual policies.
        Services.Replace(ServiceDescriptor.Transient<IAuthorizationService, DefaultAuthorizationService>());
        Services.Replace(ServiceDescriptor.Transient<IAuthorizationPolicyProvider, DefaultAuthorizationPolicyProvider>());
        Services.AddCascadingAuthenticationState();
    }

    /// <summary>Signs the component's world in as a user with these roles (and partner, for partner roles).</summary>
    protected void SignInAs(string role, Guid? partnerId = null)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, Guid.NewGuid().ToString()),
            new(ClaimTypes.Name, "someone@example.test"),
            new(ClaimTypes.Role, role),
        };
        if (partnerId is { } id)
        {
            claims.Add(new Claim(PartnerGateClaims.PartnerId, id.ToString()));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, "Test"));
        Services.AddSingleton<AuthenticationStateProvider>(new FixedAuthenticationStateProvider(principal));
    }

    private sealed class FixedAuthenticationStateProvider(ClaimsPrincipal principal) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(principal));
    }
}
