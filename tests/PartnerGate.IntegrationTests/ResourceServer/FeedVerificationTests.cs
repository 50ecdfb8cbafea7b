using System.Net;
using System.Security.Cryptography;
using static PartnerGate.IntegrationTests.Features.Connect.TokenClients;

namespace PartnerGate.IntegrationTests.ResourceServer;

/// <summary>
/// The API trusts only SETs signed by the portal's published keys: a SET signed by another key under the
/// portal's kid, injected into the stream, is ignored, and everything after it on that connection too, so the
/// API never syncs and refuses every token. The control run, with the portal's own key, syncs and applies it.
/// </summary>
public sealed class FeedVerificationTests
{
    private static readonly Guid PartnerId = Guid.NewGuid();

    [Fact]
    public async Task SetSignedByAForeignKey_IsIgnored_TheApiNeverSyncs_AndFailsClosed()
    {
        await using var transmitter = await FakeTransmitter.StartAsync();
        using var foreignKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var revokedGrant = Guid.NewGuid();
        transmitter.Sets.Add((1, transmitter.GrantRevokedSet(revokedGrant, PartnerId, 1, foreignKey)));
        await using var api = await TestApiHost.StartAsync(transmitter.Authority, PurchaseOrders, waitForSync: false);

        // The second connection means the first was dropped after the forged SET, before its synced was believed.
        await transmitter.SecondConnection.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        using var response = await api.SendAsync(HttpMethod.Get, TestApiHost.OrdersPath,
            transmitter.AccessToken(PurchaseOrders, PartnerId, Guid.NewGuid(), "erp"));

        Assert.False(api.Feed.Synced);
        Assert.Null(api.Feed.Cursor);
        Assert.Equal(0, api.Feed.RevokedGrants);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains("revocation feed is unavailable", challenge.Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetSignedByThePortalsKey_IsApplied_AndTheApiSyncs()
    {
        await using var transmitter = await FakeTransmitter.StartAsync();
        var revokedGrant = Guid.NewGuid();
        transmitter.Sets.Add((1, transmitter.GrantRevokedSet(revokedGrant, PartnerId, 1)));
        await using var api = await TestApiHost.StartAsync(transmitter.Authority, PurchaseOrders);

        using var revoked = await api.SendAsync(HttpMethod.Get, TestApiHost.OrdersPath, transmitter.AccessToken(PurchaseOrders, PartnerId, revokedGrant, "erp"));
        using var other = await api.SendAsync(HttpMethod.Get, TestApiHost.OrdersPath, transmitter.AccessToken(PurchaseOrders, PartnerId, Guid.NewGuid(), "erp"));

        Assert.True(api.Feed.Synced);
        Assert.Equal(1, api.Feed.RevokedGrants);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Contains("revoked", Assert.Single(revoked.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(1, transmitter.Connections);
    }
}
