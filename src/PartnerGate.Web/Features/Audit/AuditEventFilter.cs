using System.Globalization;
using Microsoft.Extensions.Primitives;
using PartnerGate.Domain.Auditing;
using PartnerGate.Domain.Common;

namespace PartnerGate.Web.Features.Audit;

/// <summary>
/// What the audit viewer, its export and the admin API filter events by. Every part is optional; parts combine
/// with AND. <see cref="Action"/> ending in <c>*</c> matches a prefix (<c>grant.*</c>); <see cref="Actor"/> matches
/// the actor id or name exactly; <see cref="Target"/> the target id or type exactly; <see cref="To"/> is exclusive.
/// The sequence bounds are what "verify chain" links to: the neighbourhood of the event where the chain breaks.
/// </summary>
public sealed record AuditEventFilter(
    DateTimeOffset? From, DateTimeOffset? To, string? Actor, Guid? PartnerId, string? Action, string? Target,
    long? FromSequence = null, long? ToSequence = null)
{
    public const int MaxTextLength = 200;

    public static AuditEventFilter None { get; } = new(null, null, null, null, null, null);

    /// <summary>The query-string names other pages link with (<c>/audit?partner=…&amp;action=…</c>).</summary>
    public static class Names
    {
        public const string From = "from";
        public const string To = "to";
        public const string Actor = "actor";
        public const string Partner = "partner";
        public const string Action = "action";
        public const string Target = "target";
        public const string FromSequence = "fromSequence";
        public const string ToSequence = "toSequence";
    }

    /// <summary>
    /// Reads a filter from query-string values. A value that is not what its name needs is refused with a message
    /// naming it, so a hand-edited link gets a 400 (API) or a warning (page), never a 500 or a silently wider result.
    /// </summary>
    public static Result<AuditEventFilter> Parse(Func<string, StringValues> query)
    {
        var problems = new List<string>();
        var from = ParseTime(query(Names.From), Names.From, problems);
        var to = ParseTime(query(Names.To), Names.To, problems);
        var partner = Single(query(Names.Partner), Names.Partner, problems) is { } partnerText
            ? Guid.TryParse(partnerText, CultureInfo.InvariantCulture, out var id) ? id : Problem<Guid?>(problems, $"'{Names.Partner}' must be a partner id (a GUID).")
            : null;
        var fromSequence = ParseSequence(query(Names.FromSequence), Names.FromSequence, problems);
        var toSequence = ParseSequence(query(Names.ToSequence), Names.ToSequence, problems);
        var filter = new AuditEventFilter(from, to, Text(query(Names.Actor), Names.Actor, problems), partner,
            Text(query(Names.Action), Names.Action, problems), Text(query(Names.Target), Names.Target, problems), fromSequence, toSequence);
        problems.AddRange(filter.Problems());
        return problems.Count == 0 ? filter : Error.Validation("invalid_filter", string.Join(" ", problems));
    }

    /// <summary>Rules that hold however the filter was built (query string, page, API body).</summary>
    public IEnumerable<string> Problems()
    {
        if (From is { } from && To is { } to && from >= to)
        {
            yield return $"'{Names.From}' must be before '{Names.To}'.";
        }

        if (FromSequence is { } low && ToSequence is { } high && low > high)
        {
            yield return $"'{Names.FromSequence}' must not be after '{Names.ToSequence}'.";
        }

        foreach (var (name, value) in new[] { (Names.Actor, Actor), (Names.Action, Action), (Names.Target, Target) })
        {
            if (value is { Length: > MaxTextLength })
            {
                yield return $"'{name}' is longer than {MaxTextLength} characters.";
            }
        }
    }

    /// <summary>The query-string pairs of this filter (only the parts that are set), for links and for the export URL.</summary>
    public IReadOnlyDictionary<string, object?> ToQuery() => new Dictionary<string, object?>
    {
        [Names.Partner] = PartnerId?.ToString(),
        [Names.Action] = Action,
        [Names.Actor] = Actor,
        [Names.Target] = Target,
        [Names.From] = From?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        [Names.To] = To?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        [Names.FromSequence] = FromSequence?.ToString(CultureInfo.InvariantCulture),
        [Names.ToSequence] = ToSequence?.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Applies the filter within the caller's scope: <paramref name="partnerScope"/> null for an administrator (all
    /// events), else only events of that partner. A filter naming another partner then matches nothing (invariant 4).
    /// </summary>
    public IQueryable<AuditEvent> Apply(IQueryable<AuditEvent> events, Guid? partnerScope)
    {
        if (partnerScope is { } scope)
        {
            events = events.Where(e => e.PartnerId == scope);
            if (PartnerId is { } asked && asked != scope)
            {
                return events.Where(_ => false);
            }
        }
        else if (PartnerId is { } partnerId)
        {
            events = events.Where(e => e.PartnerId == partnerId);
        }

        if (From is { } from)
        {
            events = events.Where(e => e.OccurredAt >= from);
        }

        if (To is { } to)
        {
            events = events.Where(e => e.OccurredAt < to);
        }

        if (FromSequence is { } low)
        {
            events = events.Where(e => e.Sequence >= low);
        }

        if (ToSequence is { } high)
        {
            events = events.Where(e => e.Sequence <= high);
        }

        if (!string.IsNullOrWhiteSpace(Actor))
        {
            var actor = Actor.Trim();
            events = events.Where(e => e.ActorId == actor || e.ActorName == actor);
        }

        if (!string.IsNullOrWhiteSpace(Action))
        {
            var action = Action.Trim();
            if (action.EndsWith('*'))
            {
                var prefix = action.TrimEnd('*');
                events = events.Where(e => e.Action.StartsWith(prefix));
            }
            else
            {
                events = events.Where(e => e.Action == action);
            }
        }

        if (!string.IsNullOrWhiteSpace(Target))
        {
            var target = Target.Trim();
            events = events.Where(e => e.TargetId == target || e.TargetType == target);
        }

        return events;
    }

    private static string? Single(StringValues values, string name, List<string> problems)
    {
        if (values.Count > 1)
        {
            problems.Add($"'{name}' is given more than once.");
            return null;
        }

        return string.IsNullOrWhiteSpace(values.ToString()) ? null : values.ToString().Trim();
    }

    private static string? Text(StringValues values, string name, List<string> problems) => Single(values, name, problems);

    private static DateTimeOffset? ParseTime(StringValues values, string name, List<string> problems) =>
        Single(values, name, problems) is not { } text
            ? null
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : Problem<DateTimeOffset?>(problems, $"'{name}' must be a date and time, e.g. 2026-11-26T08:00:00Z.");

    private static long? ParseSequence(StringValues values, string name, List<string> problems) =>
        Single(values, name, problems) is not { } text
            ? null
            : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1
            ? value
            : Problem<long?>(problems, $"'{name}' must be a positive whole number.");

    private static T? Problem<T>(List<string> problems, string message)
    {
        problems.Add(message);
        return default;
    }
}
