using System.Collections.Concurrent;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>
/// SSF verification (§8.1.4): a receiver asks for a verification SET on its stream to check the delivery path end
/// to end. It concerns one stream at one moment, so it is not a feed entry: it goes straight to this node's SSE
/// connections of the stream, waits here for the stream's next poll on this node, or is pushed at once.
/// </summary>
public sealed class StreamVerification(SecurityEventTokenWriter tokens, SharedSignalsIssuer issuers, SecurityEventBroadcaster broadcaster, SecurityEventSignal signal, PushSender push, TimeProvider clock)
{
    private const int MaximumPendingPerStream = 20;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<KeyValuePair<string, string>>> pendingPolls = new(StringComparer.Ordinal);

    public async Task RequestAsync(HttpContext context, SsfStreamView stream, string? state, CancellationToken cancellationToken)
    {
        var claims = SecurityEventClaims.ForVerification(stream.StreamId, state, broadcaster.Cursor, clock.GetUtcNow());
        var token = tokens.Write(issuers.For(context).AbsoluteUri, stream.Audience, claims);
        switch (stream.DeliveryMethod)
        {
            case SharedSignalsProtocol.SseDelivery:
                broadcaster.PublishVerification(stream.StreamId, token);
                break;
            case SharedSignalsProtocol.PollDelivery:
                var queue = pendingPolls.GetOrAdd(stream.StreamId, _ => new ConcurrentQueue<KeyValuePair<string, string>>());
                queue.Enqueue(new((string)claims["jti"], token));
                while (queue.Count > MaximumPendingPerStream && queue.TryDequeue(out _))
                {
                }

                // Wakes a long poll waiting on this node.
                signal.Notify(signal.LastKnownSequence);
                break;
            case SharedSignalsProtocol.PushDelivery:
                await push.TryVerifyAsync(stream.StreamId, token, cancellationToken);
                break;
        }
    }

    /// <summary>The verification SETs waiting for the stream's poll, removed as they are handed out (they need no acknowledgement).</summary>
    public List<KeyValuePair<string, string>> TakeForPoll(string streamId)
    {
        var taken = new List<KeyValuePair<string, string>>();
        if (pendingPolls.TryGetValue(streamId, out var queue))
        {
            while (queue.TryDequeue(out var item))
            {
                taken.Add(item);
            }
        }

        return taken;
    }

    public bool HasPendingPoll(string streamId) => pendingPolls.TryGetValue(streamId, out var queue) && !queue.IsEmpty;
}
