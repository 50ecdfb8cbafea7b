namespace PartnerGate.ResourceServer;

/// <summary>
/// Settings of a resource server that trusts PartnerGate. The revocation feed client (the set of revoked
/// grants, disabled clients and suspended partners, with its fail-closed bound) is the next slice and is not
/// configured here yet: until it lands, a token stays valid until its <c>exp</c>.
/// </summary>
public sealed class PartnerGateResourceServerOptions
{
    /// <summary>The most clock skew accepted: PartnerGate's tokens live minutes, so a larger skew would add a noticeable share to every token's life.</summary>
    public static readonly TimeSpan MaximumClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>The portal's base address; its discovery document is read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string Authority { get; set; } = string.Empty;

    /// <summary>This API's resource identifier, compared exactly with the token's <c>aud</c>.</summary>
    public string Audience { get; set; } = string.Empty;

    /// <summary>Tolerance for clocks that disagree, at most <see cref="MaximumClockSkew"/>.</summary>
    public TimeSpan ClockSkew { get; set; } = MaximumClockSkew;

    /// <summary>
    /// How discovery and JWKS requests reach the portal; null uses the default handler. Meant for tests and for
    /// deployments that need a proxy or a pinned certificate.
    /// </summary>
    public HttpMessageHandler? BackchannelHttpHandler { get; set; }
}
