namespace PartnerGate.ResourceServer;

/// <summary>Settings of a resource server that trusts PartnerGate.</summary>
public sealed class PartnerGateResourceServerOptions
{
    /// <summary>The most clock skew accepted: PartnerGate's tokens live minutes, so a larger skew would add a noticeable share to every token's life.</summary>
    public static readonly TimeSpan MaximumClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>The portal's base address; its discovery document is read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string Authority { get; set; } = string.Empty;

    /// <summary>This API's resource identifier, compared exactly with the token's <c>aud</c>.</summary>
    public string Audience { get; set; } = string.Empty;

    /// <summary>
    /// Further resource identifiers this API serves (one API may front several PartnerGate resources). A token is
    /// accepted when its <c>aud</c> is exactly one of <see cref="Audience"/> and these; scope policies then decide
    /// what it may do.
    /// </summary>
    public IList<string> AdditionalAudiences { get; } = [];

    /// <summary>
    /// This resource server's client_id at PartnerGate (an API client of kind ResourceServer, registered by a
    /// PartnerGate administrator). Authenticates the revocation feed and introspection.
    /// </summary>
    public string? ClientId { get; set; }

    /// <summary>The secret of <see cref="ClientId"/>. Never logged.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>How the API follows revocations between a token's issue and its <c>exp</c>.</summary>
    public RevocationFeedOptions RevocationFeed { get; } = new();

    /// <summary>Tolerance for clocks that disagree, at most <see cref="MaximumClockSkew"/>.</summary>
    public TimeSpan ClockSkew { get; set; } = MaximumClockSkew;

    /// <summary>
    /// How discovery and JWKS requests reach the portal; null uses the default handler. Meant for tests and for
    /// deployments that need a proxy or a pinned certificate.
    /// </summary>
    public HttpMessageHandler? BackchannelHttpHandler { get; set; }
}

/// <summary>What the resource server does while it cannot be sure it knows every revocation.</summary>
public enum FeedSilenceMode
{
    /// <summary>Refuse every token (401) until the feed is back: nothing revoked can slip through.</summary>
    FailClosed,

    /// <summary>Ask PartnerGate's introspection endpoint about each token until the feed is back.</summary>
    Introspection,
}

/// <summary>The revocation feed: PartnerGate's push channel of revoked grants, disabled clients and suspended partners.</summary>
public sealed class RevocationFeedOptions
{
    /// <summary>
    /// Follow the feed (default). Turning it off leaves tokens valid until their <c>exp</c> after a revocation,
    /// which breaks PartnerGate's one-second promise; only for APIs that call introspection themselves.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long the feed may be silent or disconnected before <see cref="WhenSilent"/> applies (default 5 s).</summary>
    public TimeSpan SilenceBound { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Fail closed (default) or fall back to introspection once the feed has been silent past <see cref="SilenceBound"/>.</summary>
    public FeedSilenceMode WhenSilent { get; set; } = FeedSilenceMode.FailClosed;
}
