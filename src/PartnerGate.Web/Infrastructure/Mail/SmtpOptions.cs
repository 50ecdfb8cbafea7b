using System.Diagnostics.CodeAnalysis;
using MailKit.Security;
using MimeKit;

namespace PartnerGate.Web.Infrastructure.Mail;

/// <summary>How the connection to the SMTP server is protected.</summary>
/// <remarks>
/// Deliberately narrower than MailKit's <see cref="SecureSocketOptions"/>: its <c>Auto</c> and
/// <c>StartTlsWhenAvailable</c> fall back to plain text when the server (or someone in between) does not
/// offer TLS, so a configured "secure" connection could silently send credentials in the clear.
/// </remarks>
public enum SmtpSecurity
{
    None,
    StartTls,
    SslOnConnect,
}

/// <summary>
/// The <c>Smtp</c> configuration section. Mail is sent only when <see cref="Host"/> is set; otherwise
/// notifications are kept in the outbox as held messages that administrators read in the portal.
/// </summary>
public sealed class SmtpOptions
{
    public const string SectionName = "Smtp";

    /// <summary>Longest a send may take; it stays below the dispatch lease so no other node takes over mid-send.</summary>
    public const int MaxTimeoutSeconds = 25;

    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.None;
    public string? UserName { get; set; }

    /// <summary>Read only by the transport when it authenticates; never logged or shown.</summary>
    public string? Password { get; set; }
    public string From { get; set; } = "PartnerGate <no-reply@partnergate.local>";

    /// <summary>The portal's public address, for the links in mails.</summary>
    public string PortalBaseUrl { get; set; } = "http://localhost:5080";

    /// <summary>Bounds one whole send (connect, authenticate, send, disconnect).</summary>
    public int TimeoutSeconds { get; set; } = 20;

    [MemberNotNullWhen(true, nameof(Host))]
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    public SecureSocketOptions SocketOptions => Security switch
    {
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.None,
    };

    /// <summary>A link into the portal, e.g. <c>Link("/inbox")</c>.</summary>
    public string Link(string path) => PortalBaseUrl.TrimEnd('/') + "/" + path.TrimStart('/');

    /// <summary>Configuration mistakes, each said in words; empty when the options are usable.</summary>
    public IEnumerable<string> Problems()
    {
        if (Port is < 1 or > 65535)
        {
            yield return $"Smtp:Port must be between 1 and 65535 (is {Port}).";
        }

        if (!Enum.IsDefined(Security))
        {
            yield return "Smtp:Security must be None, StartTls or SslOnConnect.";
        }

        if (!MailboxAddress.TryParse(From, out _))
        {
            yield return $"Smtp:From '{From}' is not a mail address (e.g. \"PartnerGate <no-reply@acme.example>\").";
        }

        if (!Uri.TryCreate(PortalBaseUrl, UriKind.Absolute, out var portal) || (portal.Scheme != Uri.UriSchemeHttp && portal.Scheme != Uri.UriSchemeHttps))
        {
            yield return $"Smtp:PortalBaseUrl '{PortalBaseUrl}' must be an absolute http or https address.";
        }

        if (TimeoutSeconds is < 1 or > MaxTimeoutSeconds)
        {
            yield return $"Smtp:TimeoutSeconds must be between 1 and {MaxTimeoutSeconds} (is {TimeoutSeconds}).";
        }

        if (string.IsNullOrEmpty(UserName) != string.IsNullOrEmpty(Password))
        {
            yield return "Smtp:UserName and Smtp:Password are set together or not at all.";
        }
    }
}

/// <summary>The <c>Mail</c> configuration section: how the outbox dispatcher runs.</summary>
public sealed class MailDispatchOptions
{
    public const string SectionName = "Mail";

    /// <summary>How often the dispatcher looks for due mail even when nobody signalled (retries fall due this way).</summary>
    public int DispatchIntervalSeconds { get; set; } = 5;

    /// <summary>False turns the background loop off; dispatch then happens only through explicit calls (tests).</summary>
    public bool BackgroundDispatch { get; set; } = true;
}
