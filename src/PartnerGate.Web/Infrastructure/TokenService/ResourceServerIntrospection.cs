using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using PartnerGate.Data;
using PartnerGate.Domain.Clients;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace PartnerGate.Web.Infrastructure.TokenService;

/// <summary>
/// Who may introspect an access token, and what they learn. OpenIddict's default lets only a client whose
/// client_id is one of the token's audiences see its claims; PartnerGate's audiences are resource URIs
/// (<c>https://supply.acme.example/purchase-orders</c>), and one manufacturer API may serve several. So:
/// the client the token was issued to may introspect it (claims withheld, as OpenIddict does), and a
/// registered resource server — an <see cref="ApiClientKind.ResourceServer"/> client, which only
/// administrators register — sees the claims it needs to authorise the call: scope, client_id, sub,
/// partner_id, grant_id. Any other caller gets <c>active: false</c>.
/// </summary>
public static class ResourceServerIntrospection
{
    public static OpenIddictServerBuilder UseResourceServerIntrospection(this OpenIddictServerBuilder server) => server
        .RemoveEventHandler(OpenIddictServerHandlers.Introspection.ValidateAuthorizedParty.Descriptor)
        .RemoveEventHandler(OpenIddictServerHandlers.Introspection.AttachApplicationClaims.Descriptor)
        .AddEventHandler(AuthorizedPartyHandler.Descriptor)
        .AddEventHandler(ClaimsForResourceServersHandler.Descriptor);

    private static async Task<bool> IsResourceServerAsync(IDbContextFactory<PartnerGateDbContext> contextFactory, string? clientId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(clientId))
        {
            return false;
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        return await db.ApiClients.AnyAsync(
            c => c.ClientId == clientId && c.Kind == ApiClientKind.ResourceServer && c.Status == ApiClientStatus.Active, cancellationToken);
    }

    /// <summary>Replaces OpenIddict's ValidateAuthorizedParty for introspection (same order).</summary>
    public sealed class AuthorizedPartyHandler(IDbContextFactory<PartnerGateDbContext> contextFactory)
        : IOpenIddictServerHandler<OpenIddictServerEvents.ValidateIntrospectionRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ValidateIntrospectionRequestContext>()
                .UseScopedHandler<AuthorizedPartyHandler>()
                .SetOrder(OpenIddictServerHandlers.Introspection.ValidateAuthorizedParty.Descriptor.Order)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(OpenIddictServerEvents.ValidateIntrospectionRequestContext context)
        {
            var principal = context.GenericTokenPrincipal;
            if (principal is null || context.IsRejected)
            {
                return;
            }

            var isPresenter = !string.IsNullOrEmpty(context.ClientId) && principal.HasPresenter(context.ClientId);
            if (isPresenter)
            {
                return;
            }

            if (principal.HasTokenType(TokenTypeIdentifiers.AccessToken) && await IsResourceServerAsync(contextFactory, context.ClientId, context.CancellationToken))
            {
                return;
            }

            context.Reject(error: Errors.InvalidToken, description: "This client may not introspect that token.");
        }
    }

    /// <summary>Replaces OpenIddict's AttachApplicationClaims: the claims go to registered resource servers only.</summary>
    public sealed class ClaimsForResourceServersHandler(IDbContextFactory<PartnerGateDbContext> contextFactory)
        : IOpenIddictServerHandler<OpenIddictServerEvents.HandleIntrospectionRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.HandleIntrospectionRequestContext>()
                .UseScopedHandler<ClaimsForResourceServersHandler>()
                .SetOrder(OpenIddictServerHandlers.Introspection.AttachApplicationClaims.Descriptor.Order)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(OpenIddictServerEvents.HandleIntrospectionRequestContext context)
        {
            var principal = context.GenericTokenPrincipal;
            if (principal is null || !principal.HasTokenType(TokenTypeIdentifiers.AccessToken)
                || !await IsResourceServerAsync(contextFactory, context.Request.ClientId, context.CancellationToken))
            {
                return;
            }

            context.Scopes.UnionWith(principal.GetScopes());
            if (principal.GetClaim(TokenClaims.PartnerId) is { } partnerId)
            {
                context.Claims[TokenClaims.PartnerId] = partnerId;
            }

            var grants = principal.GetClaims(TokenClaims.GrantId);
            if (grants.Length > 0)
            {
                context.Claims[TokenClaims.GrantId] = grants.Length == 1 ? new OpenIddictParameter(grants[0]) : new OpenIddictParameter([.. grants]);
            }
        }
    }
}
