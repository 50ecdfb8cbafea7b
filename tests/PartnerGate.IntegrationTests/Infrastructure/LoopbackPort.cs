using System.Net;
using System.Net.Sockets;

namespace PartnerGate.IntegrationTests.Infrastructure;

/// <summary>Loopback ports for processes a test starts (SMTP, portals, IdPs) or for a port nothing listens on.</summary>
public static class LoopbackPort
{
    /// <summary>A port free at this moment (taken and released at once; the caller binds it next).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
