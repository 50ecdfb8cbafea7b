using System.Globalization;

namespace PartnerGate.Web.Features.KillSwitches;

/// <summary>What the kill switch page says: the one confirmation per switch and the summary afterwards.</summary>
public static class KillSwitchWords
{
    public const string ReasonRequired = "Say why; the partners read the reason.";
    public const string TargetRequired = "Choose what to revoke.";

    public static string Title(KillSwitchKind kind) => kind switch
    {
        KillSwitchKind.User => "Everything of a user",
        KillSwitchKind.Client => "Everything of an API client",
        KillSwitchKind.Partner => "Everything of a partner",
        KillSwitchKind.Resource => "Everything on a resource",
        _ => "All partners at once",
    };

    public static string Explanation(KillSwitchKind kind) => kind switch
    {
        KillSwitchKind.User => "Revokes every grant the user holds, denies their pending requests and ends their portal sessions and sign-ins to other apps.",
        KillSwitchKind.Client => "Revokes every grant of the API client and denies its pending requests. The client itself stays registered.",
        KillSwitchKind.Partner => "Revokes every grant of the partner's users and clients and denies its pending requests. To stop its sign-ins too, suspend the partner.",
        KillSwitchKind.Resource => "Revokes every grant on the resource, whoever holds it, and denies pending requests for it.",
        _ => "Revokes every grant of every partner and denies every pending request. Use it when PartnerGate itself may be compromised.",
    };

    public static string PickerLabel(KillSwitchKind kind) => kind switch
    {
        KillSwitchKind.User => "User",
        KillSwitchKind.Client => "API client",
        KillSwitchKind.Partner => "Partner",
        _ => "Resource",
    };

    /// <summary>The question the one confirmation dialog asks, with the counts of the preview.</summary>
    public static string Confirmation(KillSwitchPreview preview)
    {
        var of = preview.Kind == KillSwitchKind.AllPartners ? "all partners" : preview.TargetName;
        var grants = preview.Grants switch
        {
            0 => "no grants",
            1 => "the 1 grant",
            _ => string.Create(CultureInfo.InvariantCulture, $"all {preview.Grants} grants"),
        };
        var sessions = preview.EndsSessions ? " and end their sessions" : string.Empty;
        return $"Revoke {grants} of {of}{sessions} now? Tokens stop working within a second.";
    }

    public static string? PendingRequests(KillSwitchPreview preview) => preview.PendingRequests switch
    {
        0 => null,
        1 => "1 pending request is denied with your reason.",
        var n => string.Create(CultureInfo.InvariantCulture, $"{n} pending requests are denied with your reason."),
    };

    public static string Summary(KillSwitchOutcome outcome) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{outcome.TargetName}: {outcome.GrantsRevoked} {(outcome.GrantsRevoked == 1 ? "grant" : "grants")} revoked, {outcome.RequestsDenied} pending {(outcome.RequestsDenied == 1 ? "request" : "requests")} denied")
        + (outcome.SessionsEnded ? ", sessions ended." : ".");
}
