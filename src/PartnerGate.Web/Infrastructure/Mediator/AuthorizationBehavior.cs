using System.Reflection;
using Mediator;
using Microsoft.AspNetCore.Authorization;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Infrastructure.Mediator;

/// <summary>
/// Checks the <see cref="RequirePolicyAttribute"/> policies of a message against the current user.
/// Pages hide what a user may not do; this is where it is actually enforced, whoever sends the message.
/// </summary>
public sealed class AuthorizationBehavior<TMessage, TResponse>(IAuthorizationService authorization, ICurrentUser currentUser)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private static readonly string[] RequiredPolicies =
        typeof(TMessage).GetCustomAttributes<RequirePolicyAttribute>().Select(a => a.Policy).ToArray();

    private static readonly bool AllowsAnonymous = typeof(TMessage).IsDefined(typeof(AllowAnonymousMessageAttribute));

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (!AllowsAnonymous)
        {
            if (!currentUser.IsAuthenticated)
            {
                return Failures<TResponse>.From(Error.Forbidden("not_signed_in", "Sign in first."));
            }

            foreach (var policy in RequiredPolicies)
            {
                var outcome = await authorization.AuthorizeAsync(currentUser.Principal, resource: message, policy);
                if (!outcome.Succeeded)
                {
                    return Failures<TResponse>.From(Error.Forbidden("forbidden", "You are not allowed to do this."));
                }
            }
        }

        return await next(message, cancellationToken);
    }
}
