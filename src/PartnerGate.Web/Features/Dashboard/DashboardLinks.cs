using System.Globalization;
using PartnerGate.Domain.Resources;

namespace PartnerGate.Web.Features.Dashboard;

/// <summary>One bar or segment of a dashboard chart: its words, its value and the list of exactly those items.</summary>
public sealed record ChartFigure(string Label, int Value, string? Href);

/// <summary>
/// The lists behind the charts. The query-string names are the filters of the grants list and the approval inbox
/// (<c>GrantsPage</c>, <c>ApprovalInboxPage</c>), which apply them with the same definitions the dashboard counts with.
/// </summary>
public static class DashboardLinks
{
    public const string AllPending = "/inbox?scope=all";
    public const string ActiveGrants = "/grants?status=active";

    public static string PendingAged(int minHours, int? maxHours) =>
        AllPending
        + (minHours > 0 ? $"&minAgeHours={minHours.ToString(CultureInfo.InvariantCulture)}" : string.Empty)
        + (maxHours is { } max ? $"&maxAgeHours={max.ToString(CultureInfo.InvariantCulture)}" : string.Empty);

    public static string ActiveWithSensitivity(Sensitivity sensitivity) => $"{ActiveGrants}&sensitivity={sensitivity}";

    public static string ActiveOfPartner(Guid partnerId) => $"{ActiveGrants}&partner={partnerId}";

    public static string ExpiringWithin(int hours) => $"/grants?expiresWithinHours={hours.ToString(CultureInfo.InvariantCulture)}";

    public static string RevokedWithin(int days) => $"/grants?status=revoked&revokedWithinDays={days.ToString(CultureInfo.InvariantCulture)}";
}
