using System.Globalization;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Grants;

namespace PartnerGate.Web.Components.Shared;

/// <summary>How times, windows and statuses read in the portal. Times are shown in UTC, and say so.</summary>
public static class Display
{
    public static string When(DateTimeOffset value) => value.UtcDateTime.ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture) + " UTC";

    public static string Window(DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        $"{When(notBefore)} → {When(notAfter)} ({Domain.Common.Durations.Describe(notAfter - notBefore)})";

    /// <summary>"2 h 05 min 09 s", for a countdown.</summary>
    public static string Remaining(TimeSpan remaining)
    {
        if (remaining <= TimeSpan.Zero)
        {
            return "0 s";
        }

        return remaining.TotalDays >= 1
            ? $"{(int)remaining.TotalDays} d {remaining.Hours} h {remaining.Minutes:00} min"
            : remaining.TotalHours >= 1
                ? $"{(int)remaining.TotalHours} h {remaining.Minutes:00} min {remaining.Seconds:00} s"
                : $"{remaining.Minutes} min {remaining.Seconds:00} s";
    }

    public static MudBlazor.Color Colour(AccessRequestStatus status) => status switch
    {
        AccessRequestStatus.Pending => MudBlazor.Color.Info,
        AccessRequestStatus.Approved => MudBlazor.Color.Success,
        AccessRequestStatus.Denied => MudBlazor.Color.Error,
        _ => MudBlazor.Color.Default,
    };

    public static MudBlazor.Color Colour(GrantStatus status) => status switch
    {
        GrantStatus.Active => MudBlazor.Color.Success,
        GrantStatus.Scheduled => MudBlazor.Color.Info,
        GrantStatus.Suspended => MudBlazor.Color.Warning,
        GrantStatus.Revoked => MudBlazor.Color.Error,
        _ => MudBlazor.Color.Default,
    };
}
