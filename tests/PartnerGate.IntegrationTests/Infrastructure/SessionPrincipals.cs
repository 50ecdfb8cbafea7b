using System.Security.Claims;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.IntegrationTests.Infrastructure;

/// <summary>
/// Messages sent as a user whose session proved MFA (claim <c>amr</c> = <c>mfa</c>, as the staff code step and a
/// partner IdP that proved MFA write it): for tests of resources whose access policy requires a multi-factor sign-in.
/// </summary>
public static class SessionPrincipals
{
    public static async Task<TResponse> SendWithMultiFactorSessionAsync<TResponse>(this PartnerGateAppFactory app, IMessage message, string asEmail)
        where TResponse : notnull
    {
        await using var scope = app.Services.CreateAsyncScope();
        var principal = await app.PrincipalForAsync(scope.ServiceProvider, asEmail);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(AuthenticationMethods.ClaimType, AuthenticationMethods.MultiFactor));
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Set(principal);
        return (TResponse)(await scope.ServiceProvider.GetRequiredService<IMediator>().Send(message))!;
    }
}
