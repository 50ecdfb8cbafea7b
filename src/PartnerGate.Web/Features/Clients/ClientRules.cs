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
