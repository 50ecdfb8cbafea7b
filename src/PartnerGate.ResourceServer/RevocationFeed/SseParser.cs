using System.Text;

namespace PartnerGate.ResourceServer.RevocationFeed;

/// <summary>One dispatched server-sent event: its type ("message" when none was named), data and the last event id seen.</summary>
internal readonly record struct SseMessage(string Event, string Data, string? LastEventId);

/// <summary>
/// The event-stream interpretation of the WHATWG HTML standard (§9.2.6), fed one line at a time (the reader splits
/// on CR, LF or CRLF): <c>field: value</c> lines build an event, a blank line dispatches it, lines starting with a
/// colon are comments. Only the fields the feed uses are kept; <c>retry</c> is ignored because the client's own
/// back-off decides when to reconnect.
/// </summary>
internal sealed class SseParser
{
    private readonly StringBuilder data = new();
    private string eventType = string.Empty;
    private bool hasData;

    public SseParser(string? lastEventId = null) => LastEventId = lastEventId;

    /// <summary>The last <c>id:</c> seen on the stream; it survives dispatches, as the standard's last event ID buffer does.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>Consumes one line (without its terminator); returns the event a blank line completes, if any.</summary>
    public SseMessage? Feed(string line)
    {
        if (line.Length == 0)
        {
            return Dispatch();
        }

        if (line[0] == ':')
        {
            return null;
        }

        var colon = line.IndexOf(':', StringComparison.Ordinal);
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? string.Empty : line[(colon + 1)..];
        if (value.Length > 0 && value[0] == ' ')
        {
            value = value[1..];
        }

        switch (field)
        {
            case "event":
                eventType = value;
                break;
            case "data":
                if (hasData)
                {
                    data.Append('\n');
                }

                data.Append(value);
                hasData = true;
                break;
            case "id" when !value.Contains('\0', StringComparison.Ordinal):
                LastEventId = value;
                break;
            default:
                // Unknown fields (and retry) are ignored, as the standard requires.
                break;
        }

        return null;
    }

    private SseMessage? Dispatch()
    {
        // An event without any data line is not dispatched; its type is discarded (the standard's rule).
        SseMessage? message = hasData ? new SseMessage(eventType.Length == 0 ? "message" : eventType, data.ToString(), LastEventId) : null;
        data.Clear();
        hasData = false;
        eventType = string.Empty;
        return message;
    }
}
