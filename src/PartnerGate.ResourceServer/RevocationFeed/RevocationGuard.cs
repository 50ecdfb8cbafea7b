using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace PartnerGate.ResourceServer.RevocationFeed;

/// <summary>Why a token that passed JwtBearer's checks is refused; its message becomes the challenge's error_description.</summary>
internal sealed class RevocationRefusal(string message) : Exception(message)
{
    // Never thrown, only handed to AuthenticateResult.Fail: shared instances keep refusals allocation-free.
    public static readonly RevocationRefusal GrantRevoked = new("The grant behind this access token has been revoked or suspended.");
    public static readonly RevocationRefusal ClientDisabled = new("The client this access token was issued to has been disabled.");
    public static readonly RevocationRefusal PartnerSuspended = new("The partner this access token was issued to has been suspended.");
    public static readonly RevocationRefusal FeedUnavailable = new("The revocation feed is unavailable, so revocations cannot be checked; try again shortly.");
    public static readonly RevocationRefusal Inactive = new("PartnerGate reports this access token as no longer active.");
    public static readonly RevocationRefusal IntrospectionUnavailable = new("The revocation feed is unavailable and introspection failed, so revocations cannot be checked; try again shortly.");
}

/// <summary>
/// The check every authenticated request goes through after JwtBearer validated the token: is its grant, client
/// or partner known to be blocked, and is that knowledge current? Lookups only on the hot path.
/// </summary>
internal sealed class RevocationGuard
{
    private readonly RevocationFeedMonitor monitor;
    private readonly IntrospectionClient introspection;
    private readonly TimeProvider time;
    private readonly bool checkFeed;
    private readonly bool introspectWhenSilent;

    public RevocationGuard(IOptions<PartnerGateResourceServerOptions> options, RevocationFeedMonitor monitor, IntrospectionClient introspection, TimeProvider time)
    {
        var feed = options.Value.RevocationFeed;
        this.monitor = monitor;
        this.introspection = introspection;
        this.time = time;
        checkFeed = feed.Enabled;
        introspectWhenSilent = feed.WhenSilent == FeedSilenceMode.Introspection;
    }

    public ValueTask CheckAsync(TokenValidatedContext context)
    {
        if (!checkFeed && !introspectWhenSilent)
        {
            return ValueTask.CompletedTask;
        }

        if (context.Principal is { } principal && Blocked(principal, time.GetUtcNow()) is { } refusal)
        {
            context.Fail(refusal);
            return ValueTask.CompletedTask;
        }

        if (checkFeed && monitor.IsCurrentAt(time.GetUtcNow()))
        {
            return ValueTask.CompletedTask;
        }

        if (!introspectWhenSilent)
        {
            context.Fail(RevocationRefusal.FeedUnavailable);
            return ValueTask.CompletedTask;
        }

        return IntrospectAsync(context);
    }

    private async ValueTask IntrospectAsync(TokenValidatedContext context)
    {
        if (context.SecurityToken is not JsonWebToken token)
        {
            context.Fail(RevocationRefusal.IntrospectionUnavailable);
            return;
        }

        var active = await introspection.IsActiveAsync(token.EncodedToken, new DateTimeOffset(token.ValidTo, TimeSpan.Zero), context.HttpContext.RequestAborted);
        if (active != true)
        {
            context.Fail(active is null ? RevocationRefusal.IntrospectionUnavailable : RevocationRefusal.Inactive);
        }
    }

    // One pass over the claims, no allocation beyond the enumerators: every grant, client and partner a token names is checked.
    private Exception? Blocked(ClaimsPrincipal principal, DateTimeOffset now)
    {
        var state = monitor.State;
        foreach (var identity in principal.Identities)
        {
            foreach (var claim in identity.Claims)
            {
                switch (claim.Type)
                {
                    case PartnerGateCallerExtensions.GrantIdClaim when Guid.TryParse(claim.Value, out var grantId) && state.IsGrantBlocked(grantId, now):
                        return RevocationRefusal.GrantRevoked;
                    case PartnerGateCallerExtensions.ClientIdClaim when state.IsClientBlocked(claim.Value):
                        return RevocationRefusal.ClientDisabled;
                    case PartnerGateCallerExtensions.PartnerIdClaim when Guid.TryParse(claim.Value, out var partnerId) && state.IsPartnerBlocked(partnerId):
                        return RevocationRefusal.PartnerSuspended;
                    default:
                        break;
                }
            }
        }

        return null;
    }
}
