using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace PartnerGate.ResourceServer.RevocationFeed;

/// <summary>
/// JwtBearer events that run the revocation check when a token has been validated and then hand every event to
/// the API's own events, so an API that set <c>OnTokenValidated</c> (or any other handler) keeps it. The API's
/// handler sees only tokens that passed the check.
/// </summary>
internal class RevocationCheckingEvents(JwtBearerEvents inner, RevocationGuard guard) : JwtBearerEvents
{
    public JwtBearerEvents Inner { get; } = inner;

    public override Task MessageReceived(MessageReceivedContext context) => Inner.MessageReceived(context);

    public override Task AuthenticationFailed(AuthenticationFailedContext context) => Inner.AuthenticationFailed(context);

    public override Task Forbidden(ForbiddenContext context) => Inner.Forbidden(context);

    public override async Task TokenValidated(TokenValidatedContext context)
    {
        await guard.CheckAsync(context);
        if (context.Result is null)
        {
            await Inner.TokenValidated(context);
        }
    }

    public override Task Challenge(JwtBearerChallengeContext context)
    {
        // JwtBearer sets error="invalid_token" for any failure but describes only its own exception types.
        if (context.AuthenticateFailure is RevocationRefusal refusal && context.Options.IncludeErrorDetails)
        {
            context.ErrorDescription = refusal.Message;
        }

        return Inner.Challenge(context);
    }
}

/// <summary>The same, for an API that names its events by type (<c>EventsType</c>): resolved per request with the API's events.</summary>
internal sealed class RevocationCheckingEvents<TInner>(TInner inner, RevocationGuard guard) : RevocationCheckingEvents(inner, guard)
    where TInner : JwtBearerEvents;

/// <summary>Wraps whatever events the PartnerGate scheme ends up with, after the API's own configuration ran.</summary>
internal sealed class PostConfigureRevocationEvents(RevocationGuard guard) : IPostConfigureOptions<JwtBearerOptions>
{
    public void PostConfigure(string? name, JwtBearerOptions options)
    {
        if (name != PartnerGateResourceServerDefaults.AuthenticationScheme)
        {
            return;
        }

        if (options.EventsType is { } eventsType)
        {
            if (!eventsType.IsGenericType || eventsType.GetGenericTypeDefinition() != typeof(RevocationCheckingEvents<>))
            {
                options.EventsType = typeof(RevocationCheckingEvents<>).MakeGenericType(eventsType);
            }
        }
        else if (options.Events is not RevocationCheckingEvents)
        {
            options.Events = new RevocationCheckingEvents(options.Events ?? new JwtBearerEvents(), guard);
        }
    }
}
