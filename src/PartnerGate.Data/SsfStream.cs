namespace PartnerGate.Data;

/// <summary>
/// A Shared Signals Framework event stream of one registered resource server (an ApiClient of kind
/// ResourceServer). The stream says how its events are delivered (push RFC 8935, poll RFC 8936, or
/// PartnerGate's low-latency server-sent-events channel) and, for push and poll, how far delivery got.
/// </summary>
public sealed class SsfStream
{
    /// <summary>The SSF <c>stream_id</c>.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>The resource server's client_id; only it may read or change the stream.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>The SETs' <c>aud</c>.</summary>
    public string Audience { get; set; } = string.Empty;
    public string? Description { get; set; }

    /// <summary>The delivery method URN (urn:ietf:rfc:8935, urn:ietf:rfc:8936, or PartnerGate's SSE channel).</summary>
    public string DeliveryMethod { get; set; } = string.Empty;

    /// <summary>Push only: the receiver's endpoint.</summary>
    public string? EndpointUrl { get; set; }

    /// <summary>Push only: the Authorization header value sent to the receiver, protected with Data Protection (never stored or shown in clear).</summary>
    public string? ProtectedAuthorizationHeader { get; set; }

    /// <summary>The event type URIs the receiver asked for, space-separated.</summary>
    public string EventsRequested { get; set; } = string.Empty;

    /// <summary>SSF stream status: enabled, paused or disabled.</summary>
    public string Status { get; set; } = "enabled";
    public string? StatusReason { get; set; }

    /// <summary>Push and poll: every event with a sequence up to this one was delivered (push) or acknowledged (poll).</summary>
    public long Cursor { get; set; }

    /// <summary>Push only: the last delivery failure, for the status endpoint and the operators; null after a success.</summary>
    public string? LastDeliveryError { get; set; }
    public DateTimeOffset? LastDeliveryAt { get; set; }

    /// <summary>Push only: when the next delivery attempt is due after a failure (back-off).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Optimistic concurrency token, set by the application (portable across the three providers).</summary>
    public Guid Version { get; set; }
}
