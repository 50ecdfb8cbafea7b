using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using PartnerGate.Data;
using PartnerGate.Domain.Clients;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>
/// The revocation feed's callers are registered resource servers (ApiClients of kind ResourceServer, registered by
/// administrators) presenting HTTP Basic client_id:secret, as at /connect/introspect. Anything else gets 401 JSON
/// with a Basic challenge — never the sign-in page, never a cookie. A successful call runs as the client's
/// <see cref="ClientPrincipal"/>, so its commands pass the <see cref="Policies.ApiClient"/> policy and are audited as the client.
/// Presented credentials that fail count against the caller's address (<see cref="ClientAuthenticationThrottle"/>); an
/// address over the limit gets 429 with Retry-After before any lookup or hash. A request with no Authorization header at
/// all is refused without counting: it tried nothing and cost nothing.
/// </summary>
public sealed class ResourceServerAuthentication(
    IOpenIddictApplicationManager applications, IDbContextFactory<PartnerGateDbContext> contextFactory, ClientAuthenticationThrottle throttle)
    : IEndpointFilter
{
    public const string Realm = "PartnerGate SSF";
    private const string ClientIdItem = "PartnerGate.SharedSignals.ClientId";

    /// <summary>The authenticated resource server of this request; only inside endpoints behind this filter.</summary>
    public static string ClientIdOf(HttpContext context) =>
        context.Items[ClientIdItem] as string ?? throw new InvalidOperationException("The request did not pass resource-server authentication.");

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var address = context.Connection.RemoteIpAddress;
        if (throttle.RetryAfter(address) is { } wait)
        {
            context.Response.Headers.RetryAfter = ClientAuthenticationThrottle.RetryAfterSeconds(wait);
            return Results.Json(
                new SharedSignalsError(ClientAuthenticationThrottle.TemporarilyUnavailable,
                    "Too many failed client authentications from this address. Retry after the time in Retry-After."),
                statusCode: StatusCodes.Status429TooManyRequests);
        }

        var clientId = await AuthenticateAsync(context.Request, context.RequestAborted);
        if (clientId is null)
        {
            if (!string.IsNullOrEmpty(context.Request.Headers.Authorization))
            {
                throttle.RecordFailure(address);
            }

            context.Response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\"";
            return Results.Json(
                new SharedSignalsError("invalid_client", "Authenticate with HTTP Basic as an active registered resource server (client_id:client_secret)."),
                statusCode: StatusCodes.Status401Unauthorized);
        }

        context.Items[ClientIdItem] = clientId;
        context.RequestServices.GetRequiredService<CurrentUser>().Set(ClientPrincipal.Create(clientId));
        return await next(invocation);
    }

    private async Task<string?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!BasicCredentials.TryParse(request.Headers.Authorization, out var clientId, out var secret)
            || clientId.Length > ApiClient.MaximumClientIdLength || secret.Length == 0)
        {
            return null;
        }

        await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
        {
            var isResourceServer = await db.ApiClients.AnyAsync(
                c => c.ClientId == clientId && c.Kind == ApiClientKind.ResourceServer && c.Status == ApiClientStatus.Active, cancellationToken);
            if (!isResourceServer)
            {
                return null;
            }
        }

        var application = await applications.FindByClientIdAsync(clientId, cancellationToken);
        return application is not null && await applications.ValidateClientSecretAsync(application, secret, cancellationToken) ? clientId : null;
    }
}

/// <summary>HTTP Basic client credentials (RFC 6749 §2.3.1: both halves form-url-encoded before they are joined).</summary>
public static class BasicCredentials
{
    /// <summary>True when the header is a Basic header at all, whether or not it parses.</summary>
    public static bool IsBasic(string? header) =>
        header is not null && header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase);

    public static bool TryParse(string? header, out string clientId, out string secret)
    {
        clientId = secret = string.Empty;
        if (!AuthenticationHeaderValue.TryParse(header, out var value)
            || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || value.Parameter is null)
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }

        var separator = decoded.IndexOf(':', StringComparison.Ordinal);
        if (separator <= 0)
        {
            return false;
        }

        clientId = Uri.UnescapeDataString(decoded[..separator].Replace('+', ' '));
        secret = Uri.UnescapeDataString(decoded[(separator + 1)..].Replace('+', ' '));
        return true;
    }
}

/// <summary>The SSF-style error body (<c>err</c>, <c>description</c>) of every refused feed request.</summary>
public sealed record SharedSignalsError(
    [property: System.Text.Json.Serialization.JsonPropertyName("err")] string Error,
    [property: System.Text.Json.Serialization.JsonPropertyName("description")] string Description);
