using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace PartnerGate.Web.Infrastructure.Security;

/// <summary>
/// Behind a reverse proxy every request arrives from the proxy's address, so the sign-in limiter and the
/// failed-client-authentication throttle would count all clients as one, and one attacker could lock everyone out.
/// Listing the proxies (<c>ForwardedHeaders:KnownProxies</c>, addresses) or their networks
/// (<c>ForwardedHeaders:KnownNetworks</c>, CIDR) makes the app take the client's address and scheme from
/// <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c>, but only from those senders and only the hop the proxy added
/// (a client's own <c>X-Forwarded-For</c> can't pick the address it is counted under). With nothing listed the
/// headers are ignored: the connection's own address is the only one that can't be forged.
/// </summary>
public static class TrustedProxies
{
    public const string ProxiesKey = "ForwardedHeaders:KnownProxies";
    public const string NetworksKey = "ForwardedHeaders:KnownNetworks";

    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        // Parsed here, while the host is built, so a typo stops start-up instead of silently trusting nobody.
        var proxies = Read(configuration, ProxiesKey, "an IP address").Select(p => IPAddress.TryParse(p.Text, out var address) ? address : throw p.Invalid()).ToList();
        var networks = Read(configuration, NetworksKey, "a CIDR network (e.g. 10.0.0.0/8)").Select(n => System.Net.IPNetwork.TryParse(n.Text, out var network) ? network : throw n.Invalid()).ToList();
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = 1;

            // The framework trusts loopback by default; here only what the operator listed is trusted.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(proxy);
            }

            foreach (var network in networks)
            {
                options.KnownIPNetworks.Add(network);
            }
        });
        return services;
    }

    /// <summary>Adds the forwarded-headers middleware when proxies are configured; call it before anything reads the client's address.</summary>
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        if (app.Configuration.GetSection(ProxiesKey).GetChildren().Any() || app.Configuration.GetSection(NetworksKey).GetChildren().Any())
        {
            app.UseForwardedHeaders();
        }

        return app;
    }

    private static IEnumerable<(string Text, Func<InvalidOperationException> Invalid)> Read(IConfiguration configuration, string key, string expected) =>
        configuration.GetSection(key).GetChildren().Select(entry => (
            (entry.Value ?? string.Empty).Trim(),
            (Func<InvalidOperationException>)(() => new InvalidOperationException($"{entry.Path} = '{entry.Value}' is not {expected}."))));
}
