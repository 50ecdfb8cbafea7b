using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PartnerGate.Data;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>
/// Poll delivery (RFC 8936) at <c>POST /ssf/streams/{id}/poll</c>. The stream's cursor is the highest sequence
/// acknowledged contiguously: a poll first applies its acknowledgements (and setErrs, which RFC 8936 also counts as
/// received), moving the cursor over consecutive acknowledged events, then returns the events above the cursor.
/// An acknowledgement of an event whose predecessor is not yet acknowledged is not remembered (the schema keeps one
/// cursor, no per-event state): that event comes again, with the same jti, until the gap is acknowledged.
/// </summary>
public sealed class PollDelivery(
    IDbContextFactory<PartnerGateDbContext> contextFactory,
    SecurityEventTokenWriter tokens,
    SharedSignalsIssuer issuers,
    SecurityEventSignal signal,
    StreamVerification verification,
    IOptionsMonitor<SharedSignalsOptions> options,
    TimeProvider clock)
{
    public const int DefaultMaxEvents = 100;
    public const int MaximumMaxEvents = 1000;
    private const int MaximumAcknowledgements = 5000;

    public async Task HandleAsync(HttpContext context, string streamId)
    {
        var cancellationToken = context.RequestAborted;
        var request = await ReadAsync(context);
        if (request.Error is { } error)
        {
            await Results.Json(new SharedSignalsError("invalid_request", error), statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(context);
            return;
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var (stream, refusal) = await SsfStreamRules.FindForDeliveryAsync(
            db, context, streamId, SharedSignalsProtocol.PollDelivery, [SharedSignalsProtocol.StatusEnabled, SharedSignalsProtocol.StatusPaused]);
        if (stream is null)
        {
            await refusal!.ExecuteAsync(context);
            return;
        }

        var cursor = await AcknowledgeAsync(db, stream, request.Acknowledged, request.ErrorSummary, cancellationToken);
        var issuer = issuers.For(context).AbsoluteUri;
        var deadline = clock.GetUtcNow() + TimeSpan.FromSeconds(options.CurrentValue.LongPollSeconds);
        while (true)
        {
            var sets = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (jti, token) in verification.TakeForPoll(stream.Id))
            {
                sets[jti] = token;
            }

            var more = false;
            if (stream.Status == SharedSignalsProtocol.StatusEnabled)
            {
                // Events the stream did not ask for are never sent, so nobody would acknowledge them: look past them.
                var events = await FeedReads.EventsAfterAsync(db, cursor, request.MaxEvents + 1 + MaximumMaxEvents, cancellationToken);
                var wanted = events.Where(e => SharedSignalsProtocol.Delivers(stream, e.Kind)).ToList();
                foreach (var securityEvent in wanted.Take(request.MaxEvents))
                {
                    sets[securityEvent.Id.ToString()] = tokens.Write(issuer, stream.Audience, securityEvent);
                }

                more = wanted.Count > request.MaxEvents;
            }

            var remaining = deadline - clock.GetUtcNow();
            if (sets.Count > 0 || request.ReturnImmediately || remaining <= TimeSpan.Zero)
            {
                await Results.Json(new Dictionary<string, object> { ["sets"] = sets, ["moreAvailable"] = more }).ExecuteAsync(context);
                return;
            }

            // Long poll: a commit on this node (or one relayed from another) wakes at once; anything else is found at the next poll interval.
            var wait = TimeSpan.FromMilliseconds(Math.Max(10, options.CurrentValue.PollMilliseconds));
            try
            {
                await signal.WaitAsync(wait < remaining ? wait : remaining, clock, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>Moves the cursor over the consecutive acknowledged events (and unrequested ones, which are never sent); returns the new cursor.</summary>
    private static async Task<long> AcknowledgeAsync(PartnerGateDbContext db, SsfStream stream, HashSet<string> acknowledged, string? errors, CancellationToken cancellationToken)
    {
        var cursor = stream.Cursor;
        var events = await FeedReads.EventsAfterAsync(db, cursor, acknowledged.Count + MaximumMaxEvents, cancellationToken);
        foreach (var securityEvent in events)
        {
            if (SharedSignalsProtocol.Delivers(stream, securityEvent.Kind) && !acknowledged.Contains(securityEvent.Id.ToString()))
            {
                break;
            }

            cursor = securityEvent.Sequence;
        }

        if (cursor != stream.Cursor || errors is not null)
        {
            var from = stream.Cursor;
            var moved = cursor;

            // Two polls at once: only the first moves the cursor from where both found it; the second's events come again.
            await db.SsfStreams.Where(s => s.Id == stream.Id && s.Cursor == from)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Cursor, moved).SetProperty(x => x.LastDeliveryError, x => errors ?? x.LastDeliveryError), cancellationToken);
        }

        return cursor;
    }

    private sealed record PollRequest(int MaxEvents, bool ReturnImmediately, HashSet<string> Acknowledged, string? ErrorSummary, string? Error);

    private static async Task<PollRequest> ReadAsync(HttpContext context)
    {
        static PollRequest Invalid(string message) => new(0, true, [], null, message);
        JsonObject body;
        try
        {
            if (context.Request.ContentLength is 0)
            {
                body = [];
            }
            else
            {
                var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                if (node is not JsonObject parsed)
                {
                    return Invalid("The body must be a JSON object.");
                }

                body = parsed;
            }
        }
        catch (JsonException)
        {
            return Invalid("The body is not valid JSON.");
        }

        try
        {
            var maxEvents = body["maxEvents"]?.GetValue<int>() ?? DefaultMaxEvents;
            if (maxEvents is < 0 or > MaximumMaxEvents)
            {
                return Invalid($"maxEvents must be between 0 and {MaximumMaxEvents}.");
            }

            var returnImmediately = body["returnImmediately"]?.GetValue<bool>() ?? false;
            var acknowledged = new HashSet<string>(StringComparer.Ordinal);
            if (body["ack"] is { } ack)
            {
                foreach (var item in ack.AsArray())
                {
                    acknowledged.Add((item ?? throw new FormatException()).GetValue<string>());
                }
            }

            string? errorSummary = null;
            if (body["setErrs"] is { } setErrors)
            {
                var errors = setErrors.AsObject();
                foreach (var (jti, detail) in errors)
                {
                    acknowledged.Add(jti);
                    var err = detail?["err"]?.GetValue<string>() ?? "unknown";
                    var description = detail?["description"]?.GetValue<string>();
                    errorSummary = $"{jti}: {err}{(description is null ? string.Empty : " — " + description)}";
                }
            }

            if (acknowledged.Count > MaximumAcknowledgements)
            {
                return Invalid($"At most {MaximumAcknowledgements} acknowledgements per poll.");
            }

            return new PollRequest(maxEvents, returnImmediately, acknowledged, errorSummary is { Length: > 1000 } ? errorSummary[..1000] : errorSummary, null);
        }
        catch (Exception exception) when (exception is InvalidOperationException or FormatException)
        {
            return Invalid("maxEvents is a number, returnImmediately a boolean, ack an array of jti strings, setErrs an object of jti → {err, description}.");
        }
    }
}
