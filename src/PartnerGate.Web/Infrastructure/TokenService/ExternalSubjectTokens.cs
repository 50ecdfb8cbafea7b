using OpenIddict.Abstractions;
using OpenIddict.Server;

namespace PartnerGate.Web.Infrastructure.TokenService;

/// <summary>
/// Token exchange (RFC 8693) at PartnerGate takes subject tokens issued by partner IdPs, which OpenIddict cannot
/// validate: it would check them against PartnerGate's own keys and issuer and refuse every one. This turns OpenIddict's
/// own subject-token (and actor-token) validation off for the token-exchange grant, right after it decided which tokens
/// to validate; the subject token is still extracted and required, and the passthrough token endpoint validates it
/// against the client's partner IdP (<c>Features/Connect/SubjectTokenValidator</c>) before anything is issued.
/// </summary>
/// <remarks>
/// With no subject token principal, OpenIddict's authorized-party check (which compares the subject token's presenters
/// with the client) has nothing to compare and stays silent; PartnerGate binds the token to the client itself (its
/// <c>sub</c> must be one of the client's workload subjects, its issuer the client's partner IdP).
/// </remarks>
public sealed class ExternalSubjectTokens : IOpenIddictServerHandler<OpenIddictServerEvents.ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ProcessAuthenticationContext>()
            .UseSingletonHandler<ExternalSubjectTokens>()
            .SetOrder(OpenIddictServerHandlers.EvaluateValidatedTokens.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(OpenIddictServerEvents.ProcessAuthenticationContext context)
    {
        if (context.EndpointType == OpenIddictServerEndpointType.Token && context.Request.IsTokenExchangeGrantType())
        {
            context.ValidateSubjectToken = false;
            context.RejectSubjectToken = false;
            context.ExtractActorToken = false;
            context.RequireActorToken = false;
            context.ValidateActorToken = false;
        }

        return default;
    }
}
