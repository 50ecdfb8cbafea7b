using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace PartnerGate.Web.Infrastructure.Mail;

/// <summary>One plain-text mail to one recipient. <see cref="Id"/> is the outbox message's id.</summary>
public sealed record OutgoingMail(Guid Id, string To, string Subject, string Body);

/// <summary>Hands a mail to the mail server; throws when the server did not accept it.</summary>
public interface IMailTransport
{
    Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken);
}

/// <summary>
/// Sends through SMTP with MailKit, one connection per mail. Notification mail is rare (a few per
/// decision), so a fresh connection costs nothing worth saving, and a broken connection can never spill
/// one mail's failure onto the next.
/// </summary>
public sealed class MailKitMailTransport(IOptionsMonitor<SmtpOptions> options, TimeProvider clock) : IMailTransport
{
    public async Task SendAsync(OutgoingMail mail, CancellationToken cancellationToken)
    {
        var smtp = options.CurrentValue;
        if (!smtp.IsConfigured)
        {
            throw new InvalidOperationException("No SMTP server is configured (Smtp:Host).");
        }

        using var message = Compose(mail, smtp);
        var timeout = TimeSpan.FromSeconds(smtp.TimeoutSeconds);

        // MailKit's Timeout bounds each network operation; the deadline bounds the whole send.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var client = new SmtpClient { Timeout = (int)timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(smtp.Host, smtp.Port, smtp.SocketOptions, deadline.Token);
            if (!string.IsNullOrEmpty(smtp.UserName))
            {
                await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? string.Empty, deadline.Token);
            }

            await client.SendAsync(message, deadline.Token);
            await client.DisconnectAsync(quit: true, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The SMTP server {smtp.Host}:{smtp.Port} did not complete the send within {smtp.TimeoutSeconds} s.");
        }
    }

    private MimeMessage Compose(OutgoingMail mail, SmtpOptions smtp)
    {
        var message = new MimeMessage
        {
            Subject = mail.Subject,
            Date = clock.GetUtcNow(),

            // Stable per outbox message: if a send is repeated after a crash between "accepted" and
            // "marked sent", the recipient's mail system can recognise the duplicate.
            MessageId = $"{mail.Id:N}@{MessageIdDomain(smtp)}",
            Body = new TextPart("plain") { Text = mail.Body },
        };
        message.From.Add(MailboxAddress.Parse(smtp.From));
        message.To.Add(MailboxAddress.Parse(mail.To));
        return message;
    }

    private static string MessageIdDomain(SmtpOptions smtp) =>
        Uri.TryCreate(smtp.PortalBaseUrl, UriKind.Absolute, out var portal) && !string.IsNullOrEmpty(portal.Host) ? portal.Host : "partnergate.local";
}
