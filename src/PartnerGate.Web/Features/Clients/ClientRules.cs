using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;

namespace PartnerGate.Web.Features.Clients;

/// <summary>Messages shared by the client slices and their forms, so the UI and the pipeline say the same thing.</summary>
public static class ClientRules
{
    public static readonly string ClientIdMessage =
        $"A client id is {ApiClient.MinimumClientIdLength}–{ApiClient.MaximumClientIdLength} lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen.";

    public const string RedirectUriMessage =
        "Each redirect URI must be absolute https (http only for localhost, 127.0.0.1 or [::1]), without a fragment or user info.";

    /// <summary>Shows an error from the handler under the form field it is about, like a validator's message.</summary>
    public static Error OnField(Error error, string field) => error with
    {
        FieldErrors = new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [error.Message] },
    };
}

/// <summary>The workload subjects field, the same in the register form and the details dialog.</summary>
public static class WorkloadSubjectRules
{
    public const string RequiredHint =
        "The sub of the tokens your identity provider issues to the program (e.g. a managed identity's object id or a client id). At least one.";

    public const string OptionalHint =
        "Optional: subjects of your identity provider's tokens this client may also be exchanged for (token exchange). Leave empty if unsure.";

    /// <summary>A message when the list breaks a rule (<see cref="Domain.Clients.ApiClient.NormalizeWorkloadSubjects"/>), else null.</summary>
    public static string? Check(IReadOnlyList<string> subjects, bool required)
    {
        var distinct = subjects.Distinct(StringComparer.Ordinal).ToList();
        if (required && distinct.Count == 0)
        {
            return "A workload identity client needs at least one workload subject.";
        }

        if (distinct.Count > Domain.Clients.ApiClient.MaximumWorkloadSubjects)
        {
            return $"At most {Domain.Clients.ApiClient.MaximumWorkloadSubjects} workload subjects.";
        }

        return distinct.Any(s => s.Length > Domain.Clients.ApiClient.MaximumWorkloadSubjectLength || s.Any(char.IsControl))
            ? $"A workload subject is at most {Domain.Clients.ApiClient.MaximumWorkloadSubjectLength} characters without control characters."
            : null;
    }
}
