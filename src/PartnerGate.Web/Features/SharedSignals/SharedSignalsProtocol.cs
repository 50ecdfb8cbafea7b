using PartnerGate.Data;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>The identifiers of the revocation-feed protocol (SSF 1.0, CAEP, RFC 8935/8936 and PartnerGate's SSE channel).</summary>
public static class SharedSignalsProtocol
{
    public const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";
    public const string TokenClaimsChange = "https://schemas.openid.net/secevent/caep/event-type/token-claims-change";
    public const string Verification = "https://schemas.openid.net/secevent/ssf/event-type/verification";

    public const string PushDelivery = "urn:ietf:rfc:8935";
    public const string PollDelivery = "urn:ietf:rfc:8936";
    public const string SseDelivery = "urn:partnergate:ssf:delivery:sse";

    public const string SecurityEventTokenType = "secevent+jwt";
    public const string SecurityEventMediaType = "application/secevent+jwt";

    public const string StreamsPath = "/ssf/streams";
    public const string StatusPath = "/ssf/status";
    public const string VerifyPath = "/ssf/verify";
    public const string ConfigurationPath = "/.well-known/ssf-configuration";

    public const string StatusEnabled = "enabled";
    public const string StatusPaused = "paused";
    public const string StatusDisabled = "disabled";

    public static IReadOnlyList<string> EventsSupported { get; } = [SessionRevoked, TokenClaimsChange, Verification];

    public static IReadOnlyList<string> DeliveryMethods { get; } = [PushDelivery, PollDelivery, SseDelivery];

    public static IReadOnlyList<string> Statuses { get; } = [StatusEnabled, StatusPaused, StatusDisabled];

    /// <summary>The CAEP event type a feed entry becomes.</summary>
    public static string EventTypeOf(SecurityEventKind kind) => kind is SecurityEventKind.GrantRevoked or SecurityEventKind.GrantSuspended
        ? SessionRevoked
        : TokenClaimsChange;

    /// <summary>The events a stream receives: what it asked for among what PartnerGate sends. Verification is always delivered (SSF §8.1.4).</summary>
    public static IReadOnlyList<string> EventsDelivered(IEnumerable<string> requested) =>
        [.. EventsSupported.Where(e => e == Verification || requested.Contains(e, StringComparer.Ordinal))];

    public static bool Delivers(SsfStream stream, SecurityEventKind kind) =>
        stream.EventsRequested.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(EventTypeOf(kind), StringComparer.Ordinal);

    /// <summary>Where the transmitter delivers a poll or SSE stream; push streams carry the receiver's own endpoint.</summary>
    public static string? EndpointFor(SsfStream stream, Uri baseUri) => stream.DeliveryMethod switch
    {
        PollDelivery => new Uri(baseUri, $"ssf/streams/{Uri.EscapeDataString(stream.Id)}/poll").AbsoluteUri,
        SseDelivery => new Uri(baseUri, $"ssf/streams/{Uri.EscapeDataString(stream.Id)}/sse").AbsoluteUri,
        _ => stream.EndpointUrl,
    };
}

/// <summary>Settings of the revocation feed (section <c>SharedSignals</c>).</summary>
public sealed class SharedSignalsOptions
{
    public const string Section = "SharedSignals";

    /// <summary>How often each node reads the feed from the database, so events written by other nodes arrive without a signal.</summary>
    public int PollMilliseconds { get; set; } = 250;

    /// <summary>How often an SSE connection gets a heartbeat (each one after a successful read of the database).</summary>
    public double HeartbeatSeconds { get; set; } = 1;

    /// <summary>How long a poll without <c>returnImmediately</c> waits for an event.</summary>
    public int LongPollSeconds { get; set; } = 20;

    /// <summary>Feed entries older than this are pruned; a receiver that was away longer gets a snapshot (SSE <c>reset</c>).</summary>
    public int RetentionDays { get; set; } = 7;

    /// <summary>At most this many streams per resource server, so one client cannot fill the table.</summary>
    public int MaxStreamsPerClient { get; set; } = 20;
}
