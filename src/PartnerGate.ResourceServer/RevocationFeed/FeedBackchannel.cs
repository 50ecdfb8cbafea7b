using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace PartnerGate.ResourceServer.RevocationFeed;

/// <summary>
/// The HTTP client for the portal's feed and introspection endpoints, authenticated as this resource server
/// (HTTP Basic, client_id and secret form-encoded first as RFC 6749 §2.3.1 asks). Uses the configured
/// backchannel handler, so a proxy or a pinned certificate applies here as it does to discovery.
/// </summary>
internal sealed class FeedBackchannel : IDisposable
{
    public FeedBackchannel(IOptions<PartnerGateResourceServerOptions> options)
    {
        var settings = options.Value;
        Http = settings.BackchannelHttpHandler is { } handler
            ? new HttpClient(handler, disposeHandler: false)
            : new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });

        // The event stream stays open indefinitely; other requests carry their own timeout.
        Http.Timeout = Timeout.InfiniteTimeSpan;
        Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $"{Uri.EscapeDataString(settings.ClientId ?? string.Empty)}:{Uri.EscapeDataString(settings.ClientSecret ?? string.Empty)}")));
    }

    /// <summary>How long a request other than the event stream may take.</summary>
    public static TimeSpan RequestTimeout { get; } = TimeSpan.FromSeconds(10);

    public HttpClient Http { get; }

    public AuthenticationHeaderValue Authorization { get; }

    public void Dispose() => Http.Dispose();
}
