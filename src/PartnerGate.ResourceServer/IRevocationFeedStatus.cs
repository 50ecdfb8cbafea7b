namespace PartnerGate.ResourceServer;

/// <summary>
/// The state of the revocation feed, for a health endpoint or a dashboard. Resolve it from the services of an API
/// that called <c>AddPartnerGateResourceServer</c>.
/// </summary>
public interface IRevocationFeedStatus
{
    /// <summary>Whether the feed is followed at all (<see cref="RevocationFeedOptions.Enabled"/>).</summary>
    bool Enabled { get; }

    /// <summary>An event stream to the portal is open right now.</summary>
    bool Connected { get; }

    /// <summary>The feed has delivered a complete state (snapshot or replay) at least once since start.</summary>
    bool Synced { get; }

    /// <summary>
    /// Synced, and heard from (a verified event, <c>synced</c> or <c>heartbeat</c>) within the silence bound: tokens
    /// are checked against the feed alone. Otherwise <see cref="RevocationFeedOptions.WhenSilent"/> applies.
    /// </summary>
    bool IsCurrent { get; }

    /// <summary>When the feed was last heard from (by the host's <c>TimeProvider</c>); null before the first message.</summary>
    DateTimeOffset? LastMessageAt { get; }

    /// <summary>The transmitter's sequence up to which this API knows every event; null before the first sync.</summary>
    long? Cursor { get; }

    int RevokedGrants { get; }

    int DisabledClients { get; }

    int SuspendedPartners { get; }

    /// <summary>
    /// Completes once the feed is synced and has applied every event up to <paramref name="cursor"/> (0: the first
    /// sync). For start-up probes, tests and benchmarks; it changes nothing.
    /// </summary>
    Task WaitForCursorAsync(long cursor, CancellationToken cancellationToken = default);
}
