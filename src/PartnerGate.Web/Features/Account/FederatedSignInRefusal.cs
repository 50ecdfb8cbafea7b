namespace PartnerGate.Web.Features.Account;

/// <summary>
/// Why a federated sign-in was refused: the code goes into the audit event and, as <c>?signin_error=</c>, to
/// the sign-in page, which shows the fixed message for it — never text from the request or an exception.
/// </summary>
public static class FederatedSignInRefusal
{
    public const string QueryParameter = "signin_error";

    public const string ProviderUnknown = "provider_unknown";
    public const string ProviderDisabled = "provider_disabled";
    public const string PartnerSuspended = "partner_suspended";
    public const string IssuerMismatch = "issuer_mismatch";
    public const string AudienceMismatch = "audience_mismatch";
    public const string NonceInvalid = "nonce_invalid";
    public const string IdTokenInvalid = "id_token_invalid";
    public const string StateInvalid = "state_invalid";
    public const string CorrelationFailed = "correlation_failed";
    public const string TokenRequestFailed = "token_request_failed";
    public const string AccessDenied = "access_denied";
    public const string ProtocolError = "protocol_error";
    public const string SubjectMissing = "subject_missing";
    public const string EmailMissing = "email_missing";
    public const string EmailUnverified = "email_unverified";
    public const string EmailOutsidePartnerDomains = "email_outside_partner_domains";
    public const string MfaMissing = "mfa_missing";
    public const string EmailBelongsToAnotherAccount = "email_belongs_to_another_account";
    public const string LockedOut = "locked_out";
    public const string AccountInvalid = "account_invalid";
    public const string SignInExpired = "sign_in_expired";
    public const string ProviderUnreachable = "provider_unreachable";

    private const string Contact = "contact your IT department or the PartnerGate administrators of Acme Precision Works";
    private const string Unverifiable =
        "The answer from your organisation's identity provider could not be verified, so you are not signed in. Start again; if it keeps happening, " + Contact + ".";

    private static readonly Dictionary<string, string> Messages = new(StringComparer.Ordinal)
    {
        [ProviderUnknown] = "That sign-in link is no longer valid. Enter your e-mail address to start again.",
        [ProviderDisabled] = "Sign-in through your organisation's identity provider is switched off, so you cannot sign in; " + Contact + ".",
        [PartnerSuspended] = "Your organisation's access to PartnerGate is suspended, so you cannot sign in; contact the PartnerGate administrators of Acme Precision Works.",
        [IssuerMismatch] = Unverifiable,
        [AudienceMismatch] = Unverifiable,
        [NonceInvalid] = Unverifiable,
        [IdTokenInvalid] = Unverifiable,
        [TokenRequestFailed] = Unverifiable,
        [ProtocolError] = Unverifiable,
        [SubjectMissing] = Unverifiable,
        [StateInvalid] = "The sign-in could not be matched to one started in this browser (it took too long, or was started in another window). Start again.",
        [CorrelationFailed] = "The sign-in could not be matched to one started in this browser (it took too long, or was started in another window). Start again.",
        [AccessDenied] = "Your organisation's identity provider did not sign you in (it was cancelled or refused). Start again, or " + Contact + ".",
        [EmailMissing] = "Your organisation's identity provider did not send your e-mail address, so you cannot sign in; ask your IT department to release the e-mail claim to PartnerGate.",
        [EmailUnverified] = "Your organisation's identity provider says your e-mail address is not verified, so you cannot sign in; " + Contact + ".",
        [EmailOutsidePartnerDomains] = "Your e-mail address is not in a domain your organisation has verified with PartnerGate, so you cannot sign in through its identity provider; " + Contact + ".",
        [MfaMissing] = "Your organisation requires multi-factor authentication for PartnerGate, and its identity provider did not confirm a second factor. Sign in again and use your second factor (for example your authenticator app).",
        [EmailBelongsToAnotherAccount] = "Your e-mail address belongs to another PartnerGate account, so you cannot sign in through your organisation's identity provider; " + Contact + ".",
        [LockedOut] = "Your PartnerGate account is locked, so you cannot sign in; " + Contact + ".",
        [AccountInvalid] = "Your PartnerGate account could not be set up from what your organisation's identity provider sent; " + Contact + ".",
        [ProviderUnreachable] = "Your organisation's identity provider cannot be reached at the moment (or refused to start the sign-in), so you cannot sign in now. Try again later; if it persists, " + Contact + ".",
        [SignInExpired] = "Your sign-in could not be completed (it took too long or was already used). Start again.",
    };

    /// <summary>The message for a refusal code; null for anything unknown (the page then shows nothing).</summary>
    public static string? MessageFor(string? code) => code is not null && Messages.TryGetValue(code, out var message) ? message : null;

    /// <summary>Where a refused federated sign-in lands: the sign-in page with the reason, keeping the way back.</summary>
    public static string SignInPageFor(string reason, string? returnUrl)
    {
        var target = $"{AccountEndpoints.SignInPath}?{QueryParameter}={Uri.EscapeDataString(reason)}";
        var safe = AccountEndpoints.SafeReturnUrl(returnUrl);
        return safe == "/" ? target : $"{target}&returnUrl={Uri.EscapeDataString(safe)}";
    }
}
