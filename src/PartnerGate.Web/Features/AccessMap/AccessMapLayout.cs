using System.Globalization;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Resources;
using PartnerGate.Web.Components.Shared;

namespace PartnerGate.Web.Features.AccessMap;

/// <summary>The map's four columns, left to right.</summary>
public enum AccessMapColumn
{
    Partner,
    Holder,
    Grant,
    Resource,
}

/// <summary>
/// A node placed on the map. <see cref="AccessibleName"/> says everything the drawing shows (kind, name, sensitivity,
/// upcoming), so nothing is told by colour or dashes alone; <see cref="PartnerIds"/> are the partners it belongs to
/// (several for a resource) for highlighting a selected partner's part.
/// </summary>
public sealed record AccessMapNode(
    string Key,
    AccessMapColumn Column,
    string Label,
    string Detail,
    string AccessibleName,
    IReadOnlyList<Guid> PartnerIds,
    Sensitivity? Sensitivity,
    bool Upcoming,
    bool Suspended,
    double X,
    double Y);

public sealed record AccessMapEdge(string From, string To, bool Upcoming, bool Suspended, IReadOnlyList<Guid> PartnerIds, double X1, double Y1, double X2, double Y2);

public sealed record AccessMapGraph(IReadOnlyList<AccessMapNode> Nodes, IReadOnlyList<AccessMapEdge> Edges, double Width, double Height, int Crossings)
{
    public static readonly AccessMapGraph Empty = new([], [], 0, 0, 0);
}

/// <summary>
/// Lays the map out in four fixed columns (partner → holder → grant → resource) and orders each column by the
/// barycentre heuristic (Sugiyama's crossing reduction): a node moves to the mean position of its neighbours in the
/// column beside it, sweeping down and up a few times, keeping the order with the fewest crossings. The columns are
/// fixed by the data's meaning, so the hard parts a general graph-layout library solves (layer assignment, cycles,
/// edge routing) do not arise; a few dozen lines of pure C# keep the drawing server-rendered SVG with no JavaScript,
/// and testable in bUnit and unit tests.
/// </summary>
public static class AccessMapLayout
{
    public const double NodeWidth = 200;
    public const double NodeHeight = 44;
    public const double ColumnGap = 64;
    public const double RowGap = 14;
    public const double HeaderHeight = 32;
    public const int LabelLength = 23;
    private const int Sweeps = 4;

    public static readonly IReadOnlyList<string> ColumnTitles = ["Partners", "Users and API clients", "Grants (times in UTC)", "Resources"];

    public static AccessMapGraph Build(IReadOnlyList<AccessMapGrant> grants)
    {
        ArgumentNullException.ThrowIfNull(grants);
        if (grants.Count == 0)
        {
            return AccessMapGraph.Empty;
        }

        var nodes = new Dictionary<string, NodeDraft>(StringComparer.Ordinal);
        var edges = new List<(string From, string To, AccessMapGrant Grant)>();
        foreach (var grant in grants)
        {
            var partnerKey = "partner:" + grant.PartnerId;
            var holderKey = $"holder:{grant.PartnerId}:{grant.SubjectKind}:{grant.SubjectId}";
            var grantKey = "grant:" + grant.GrantId;
            var resourceKey = "resource:" + grant.ResourceId;
            Add(nodes, partnerKey, AccessMapColumn.Partner, grant.PartnerName, grant);
            Add(nodes, holderKey, AccessMapColumn.Holder, grant.SubjectName, grant);
            Add(nodes, grantKey, AccessMapColumn.Grant, string.Join(' ', grant.Scopes), grant);
            Add(nodes, resourceKey, AccessMapColumn.Resource, grant.ResourceName, grant);
            edges.Add((partnerKey, holderKey, grant));
            edges.Add((holderKey, grantKey, grant));
            edges.Add((grantKey, resourceKey, grant));
        }

        // One line per pair; a partner-to-holder line is dashed (dotted) only when all that holder's grants are upcoming
        // (suspended).
        var lines = edges.GroupBy(e => (e.From, e.To))
            .Select(g => (g.Key.From, g.Key.To, Upcoming: g.All(e => e.Grant.Upcoming), Suspended: g.All(e => e.Grant.Suspended),
                PartnerIds: g.Select(e => e.Grant.PartnerId).Distinct().ToList()))
            .ToList();

        var columns = Order(nodes, lines.Select(l => (l.From, l.To)).ToList(), out var crossings);
        var height = columns.Max(c => c.Count) * (NodeHeight + RowGap) + HeaderHeight;
        var placed = new Dictionary<string, AccessMapNode>(StringComparer.Ordinal);
        for (var column = 0; column < columns.Count; column++)
        {
            // Short columns are spread over the height of the tallest, so their lines fan out rather than bunch at the top.
            var step = (height - HeaderHeight) / columns[column].Count;
            for (var row = 0; row < columns[column].Count; row++)
            {
                var draft = nodes[columns[column][row]];
                placed[draft.Key] = draft.Place(column * (NodeWidth + ColumnGap), HeaderHeight + (row * step) + ((step - NodeHeight) / 2));
            }
        }

        var placedEdges = lines.Select(l =>
        {
            var from = placed[l.From];
            var to = placed[l.To];
            return new AccessMapEdge(l.From, l.To, l.Upcoming, l.Suspended, l.PartnerIds,
                from.X + NodeWidth, from.Y + (NodeHeight / 2), to.X, to.Y + (NodeHeight / 2));
        }).ToList();

        var ordered = columns.SelectMany(c => c).Select(k => placed[k]).ToList();
        return new AccessMapGraph(ordered, placedEdges, (4 * NodeWidth) + (3 * ColumnGap), height, crossings);
    }

    /// <summary>Labels longer than a node is wide end in an ellipsis; the full text is in the accessible name and the tooltip.</summary>
    public static string Shorten(string text) => text.Length <= LabelLength ? text : string.Concat(text.AsSpan(0, LabelLength - 1), "…");

    /// <summary>Edge crossings between two neighbouring columns, given each line's row on the left and on the right.</summary>
    public static int CountCrossings(IReadOnlyList<(int Left, int Right)> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var crossings = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            for (var j = i + 1; j < lines.Count; j++)
            {
                if ((lines[i].Left - lines[j].Left) * (lines[i].Right - lines[j].Right) < 0)
                {
                    crossings++;
                }
            }
        }

        return crossings;
    }

    private static List<List<string>> Order(Dictionary<string, NodeDraft> nodes, List<(string From, string To)> lines, out int crossings)
    {
        // Start alphabetically (grants by holder, then resource), so an unchanged map draws the same every time.
        var columns = Enum.GetValues<AccessMapColumn>()
            .Select(column => nodes.Values.Where(n => n.Column == column).OrderBy(n => n.SortKey, StringComparer.Ordinal).Select(n => n.Key).ToList())
            .ToList();
        var best = columns.Select(c => c.ToList()).ToList();
        var bestCrossings = Crossings(columns, lines);
        for (var sweep = 0; sweep < Sweeps && bestCrossings > 0; sweep++)
        {
            for (var column = 1; column < columns.Count; column++)
            {
                columns[column] = ByBarycentre(columns[column], columns[column - 1], lines, towardsLeft: true);
            }

            for (var column = columns.Count - 2; column >= 0; column--)
            {
                columns[column] = ByBarycentre(columns[column], columns[column + 1], lines, towardsLeft: false);
            }

            var now = Crossings(columns, lines);
            if (now < bestCrossings)
            {
                bestCrossings = now;
                best = columns.Select(c => c.ToList()).ToList();
            }
        }

        crossings = bestCrossings;
        return best;
    }

    private static List<string> ByBarycentre(List<string> column, List<string> neighbours, List<(string From, string To)> lines, bool towardsLeft)
    {
        var position = neighbours.Select((key, index) => (key, index)).ToDictionary(p => p.key, p => p.index, StringComparer.Ordinal);
        var current = column.Select((key, index) => (key, index)).ToDictionary(p => p.key, p => p.index, StringComparer.Ordinal);
        return column
            .Select(key =>
            {
                var linked = lines.Where(l => towardsLeft ? l.To == key : l.From == key)
                    .Select(l => towardsLeft ? l.From : l.To)
                    .Where(position.ContainsKey)
                    .Select(k => (double)position[k])
                    .ToList();

                // A node without neighbours on that side keeps its place.
                return (key, centre: linked.Count == 0 ? current[key] : linked.Average());
            })
            .OrderBy(n => n.centre)
            .ThenBy(n => current[n.key])
            .Select(n => n.key)
            .ToList();
    }

    private static int Crossings(List<List<string>> columns, List<(string From, string To)> lines)
    {
        var row = columns.SelectMany(c => c.Select((key, index) => (key, index))).ToDictionary(p => p.key, p => p.index, StringComparer.Ordinal);
        var total = 0;
        for (var column = 0; column < columns.Count - 1; column++)
        {
            var left = columns[column].ToHashSet(StringComparer.Ordinal);
            total += CountCrossings([.. lines.Where(l => left.Contains(l.From)).Select(l => (row[l.From], row[l.To]))]);
        }

        return total;
    }

    private static void Add(Dictionary<string, NodeDraft> nodes, string key, AccessMapColumn column, string label, AccessMapGrant grant)
    {
        if (!nodes.TryGetValue(key, out var draft))
        {
            nodes[key] = draft = new NodeDraft(key, column, label);
        }

        draft.Grants.Add(grant);
    }

    /// <summary>A node before it has a place: the grants behind it decide its texts.</summary>
    private sealed class NodeDraft(string key, AccessMapColumn column, string label)
    {
        public string Key { get; } = key;
        public AccessMapColumn Column { get; } = column;
        public List<AccessMapGrant> Grants { get; } = [];

        public string SortKey => Column switch
        {
            AccessMapColumn.Grant => $"{Grants[0].PartnerName}\u0001{Grants[0].SubjectName}\u0001{Grants[0].ResourceName}",
            AccessMapColumn.Holder => $"{Grants[0].PartnerName}\u0001{label}",
            _ => label,
        };

        public AccessMapNode Place(double x, double y)
        {
            var first = Grants[0];
            var partners = Grants.Select(g => g.PartnerId).Distinct().ToList();
            var count = Grants.Count;
            var grantsText = count == 1 ? "1 grant" : $"{count} grants";
            var holderKind = first.SubjectKind == SubjectKind.Client ? "API client" : "User";
            var (detail, name, sensitivity, upcoming) = Column switch
            {
                AccessMapColumn.Partner => (grantsText, $"Partner {label}, {grantsText}", (Sensitivity?)null, false),
                AccessMapColumn.Holder => ($"{holderKind} · {grantsText}", $"{holderKind} {label} of {first.PartnerName}, {grantsText}", null,
                    Grants.All(g => g.Upcoming)),
                AccessMapColumn.Grant when first.SuspendedBecause is { } because =>
                    ($"suspended · {because}", $"Suspended grant of {first.SubjectName} ({because}): {label} on {first.ResourceName}, not usable now, window ends {Display.When(first.NotAfter)}", null, false),
                AccessMapColumn.Grant => first.Upcoming
                    ? ($"upcoming · from {Time(first.NotBefore)}", $"Upcoming grant of {first.SubjectName}: {label} on {first.ResourceName}, starts {Display.When(first.NotBefore)}, ends {Display.When(first.NotAfter)}", null, true)
                    : ($"active · until {Time(first.NotAfter)}", $"Active grant of {first.SubjectName}: {label} on {first.ResourceName}, until {Display.When(first.NotAfter)}", null, false),
                _ => ($"{first.Sensitivity} sensitivity · {grantsText}", $"Resource {label}, {first.Sensitivity} sensitivity, {grantsText}", first.Sensitivity, false),
            };
            var suspended = Column is AccessMapColumn.Holder or AccessMapColumn.Grant && Grants.All(g => g.Suspended);
            return new AccessMapNode(Key, Column, label, detail, name, partners, sensitivity, upcoming, suspended, x, y);
        }

        // Day and time in UTC (the column heading says so), short enough for a node; the accessible name carries the full date.
        private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("d MMM HH:mm", CultureInfo.InvariantCulture);
    }
}
