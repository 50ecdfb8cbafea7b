using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PartnerGate.Data;
using PartnerGate.Domain.Partners;

namespace PartnerGate.Web.Infrastructure.Security;

/// <summary>
/// Invariant 5 for portal sessions: a session dies at once when its user's security stamp changes (kill switch,
/// authenticator reset, partner suspension) or its partner is suspended. Identity's own stamp check runs every
/// 30 minutes and rebuilds the principal (several queries and a new cookie); this check is one primary-key read per
/// request, and per circuit every <c>Sessions:RevalidationSeconds</c> (default 1), so it can run that often.
/// </summary>
public static class SessionValidation
{
    public static async Task<bool> IsStillValidAsync(PartnerGateDbContext db, ClaimsPrincipal principal, string stampClaimType, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), CultureInfo.InvariantCulture, out var userId)
            || principal.FindFirstValue(stampClaimType) is not { Length: > 0 } stamp)
        {
            return false;
        }

        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.SecurityStamp, PartnerStatus = u.Partner == null ? (PartnerStatus?)null : u.Partner.Status })
            .SingleOrDefaultAsync(cancellationToken);
        return user is not null && user.SecurityStamp == stamp && user.PartnerStatus is null or PartnerStatus.Active;
    }

    /// <summary>Runs before Identity's own periodic check on every request that carries the session cookie.</summary>
    public static void CheckEveryRequest(CookieAuthenticationOptions options)
    {
        var identityCheck = options.Events.OnValidatePrincipal;
        options.Events.OnValidatePrincipal = async context =>
        {
            var services = context.HttpContext.RequestServices;
            var stampClaimType = services.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType;
            await using var db = await services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContextAsync(context.HttpContext.RequestAborted);
            if (context.Principal is null || !await IsStillValidAsync(db, context.Principal, stampClaimType, context.HttpContext.RequestAborted))
            {
                context.RejectPrincipal();
                await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
                return;
            }

            await identityCheck(context);
        };
    }
}

/// <summary>
/// A circuit keeps the user it started with for as long as the browser tab stays open; this re-checks the session
/// every <c>Sessions:RevalidationSeconds</c> and signs the circuit out (the page falls back to sign-in, commands are
/// refused) once the session has been ended.
/// </summary>
internal sealed class SessionRevalidatingAuthenticationStateProvider(
    ILoggerFactory loggerFactory,
    IServiceScopeFactory scopeFactory,
    IOptions<IdentityOptions> identityOptions,
    IConfiguration configuration,
    IHostApplicationLifetime lifetime) : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(configuration.GetValue("Sessions:RevalidationSeconds", 1.0));

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        if (authenticationState.User.Identity?.IsAuthenticated != true)
        {
            return true;
        }

        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContextAsync(cancellationToken);
            return await SessionValidation.IsStillValidAsync(db, authenticationState.User, identityOptions.Value.ClaimsIdentity.SecurityStampClaimType, cancellationToken);
        }
        catch (ObjectDisposedException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // The host is shutting down under an open circuit: the services are gone and so is the circuit. Treat the
            // session as ended (deny by default) without logging a shutdown race as an error.
            return false;
        }
    }
}
