using PartnerGate.Domain.Common;

namespace PartnerGate.Domain.Notifications;

public enum OutboxStatus
{
    /// <summary>Waiting to be sent (first try or a retry after a failure).</summary>
    Pending,
    Sent,

    /// <summary>No SMTP server is configured: kept for administrators to read in the portal.</summary>
    Held,

    /// <summary>Gave up after <see cref="OutboxMessage.MaxAttempts"/> failures; stays readable in the portal.</summary>
    Failed,
}

/// <summary>
/// An e-mail waiting to be sent. Mail is written here first and sent by a background dispatcher, so a
/// mail server that is down delays a notification but never loses it, nor the decision behind it.
/// </summary>
public sealed class OutboxMessage
{
    public const int MaxAttempts = 8;

    private OutboxMessage()
    {
        To = string.Empty;
        Subject = string.Empty;
        Body = string.Empty;
        Kind = string.Empty;
    }

    public Guid Id { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public string To { get; private set; }
    public string Subject { get; private set; }

    /// <summary>Plain-text body. Never contains secrets or tokens.</summary>
    public string Body { get; private set; }

    /// <summary>What the mail is about (<c>request.approved</c>, …), for filtering in the portal.</summary>
    public string Kind { get; private set; }
    public Guid? PartnerId { get; private set; }
    public OutboxStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset NextAttemptAt { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }
    public string? LastError { get; private set; }

    public static OutboxMessage Create(string to, string subject, string body, string kind, Guid? partnerId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(to);
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        return new OutboxMessage
        {
            Id = Guid.NewGuid(),
            CreatedAt = Clock.Normalize(now),
            To = to.Trim(),
            Subject = subject.Trim(),
            Body = body,
            Kind = kind,
            PartnerId = partnerId,
            Status = OutboxStatus.Pending,
            NextAttemptAt = Clock.Normalize(now),
        };
    }

    public void MarkSent(DateTimeOffset now)
    {
        Status = OutboxStatus.Sent;
        Attempts++;
        SentAt = Clock.Normalize(now);
        LastError = null;
    }

    /// <summary>Keeps the mail for the portal when no SMTP server is configured.</summary>
    public void Hold() => Status = OutboxStatus.Held;

    /// <summary>Records a failed try and schedules the next with exponential back-off (30 s, 1 min, 2 min, … capped at 1 h).</summary>
    public void MarkFailed(string error, DateTimeOffset now)
    {
        Attempts++;
        LastError = error.Length > 1000 ? error[..1000] : error;
        if (Attempts >= MaxAttempts)
        {
            Status = OutboxStatus.Failed;
            return;
        }

        var delay = TimeSpan.FromSeconds(Math.Min(3600, 30 * Math.Pow(2, Attempts - 1)));
        NextAttemptAt = Clock.Normalize(now + delay);
        Status = OutboxStatus.Pending;
    }
}
