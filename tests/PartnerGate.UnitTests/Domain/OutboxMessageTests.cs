using PartnerGate.Domain.Notifications;
using static PartnerGate.UnitTests.Domain.DomainFixtures;

namespace PartnerGate.UnitTests.Domain;

/// <summary>The outbox's retry rules: a mail server that is down delays mail with back-off, and gives up only after MaxAttempts.</summary>
public sealed class OutboxMessageTests
{
    private static OutboxMessage NewMessage() =>
        OutboxMessage.Create(" approver@acme.example ", " New access request ", "Body", "request.submitted", Guid.NewGuid(), Now);

    [Fact]
    public void Create_IsPendingAndDueAtOnce()
    {
        var message = NewMessage();

        Assert.Equal(OutboxStatus.Pending, message.Status);
        Assert.Equal(Now, message.NextAttemptAt);
        Assert.Equal(Now, message.CreatedAt);
        Assert.Equal(0, message.Attempts);
        Assert.Equal("approver@acme.example", message.To);
        Assert.Equal("New access request", message.Subject);
    }

    [Fact]
    public void MarkFailed_Repeatedly_BacksOffExponentiallyFromThirtySeconds()
    {
        var message = NewMessage();
        var now = Now;
        var delays = new List<TimeSpan>();

        for (var attempt = 1; attempt < OutboxMessage.MaxAttempts; attempt++)
        {
            message.MarkFailed("SocketException: Connection refused", now);
            delays.Add(message.NextAttemptAt - now);
            Assert.Equal(OutboxStatus.Pending, message.Status);
            Assert.Equal(attempt, message.Attempts);
            now = message.NextAttemptAt;
        }

        Assert.Equal(new[] { 30, 60, 120, 240, 480, 960, 1920 }.Select(s => TimeSpan.FromSeconds(s)), delays);
    }

    [Fact]
    public void MarkFailed_AtMaxAttempts_IsFailedAndKeepsLastError()
    {
        var message = NewMessage();
        for (var attempt = 1; attempt < OutboxMessage.MaxAttempts; attempt++)
        {
            message.MarkFailed("timeout", Now);
        }

        var nextAttemptBefore = message.NextAttemptAt;
        message.MarkFailed("SMTP 550 RecipientNotAccepted: mailbox unavailable", Now.AddHours(2));

        Assert.Equal(OutboxStatus.Failed, message.Status);
        Assert.Equal(OutboxMessage.MaxAttempts, message.Attempts);
        Assert.Equal("SMTP 550 RecipientNotAccepted: mailbox unavailable", message.LastError);
        Assert.Equal(nextAttemptBefore, message.NextAttemptAt);
    }

    [Fact]
    public void MarkFailed_LongError_IsCutToTheColumnLength()
    {
        var message = NewMessage();

        message.MarkFailed(new string('x', 5000), Now);

        Assert.Equal(1000, message.LastError!.Length);
    }

    [Fact]
    public void MarkSent_AfterFailure_RecordsSentAndClearsError()
    {
        var message = NewMessage();
        message.MarkFailed("SocketException: Connection refused", Now);

        message.MarkSent(Now.AddSeconds(31));

        Assert.Equal(OutboxStatus.Sent, message.Status);
        Assert.Equal(2, message.Attempts);
        Assert.Equal(Now.AddSeconds(31), message.SentAt);
        Assert.Null(message.LastError);
    }

    [Fact]
    public void Hold_WithoutSmtp_IsHeldAndNotAttempted()
    {
        var message = NewMessage();

        message.Hold();

        Assert.Equal(OutboxStatus.Held, message.Status);
        Assert.Equal(0, message.Attempts);
        Assert.Null(message.SentAt);
    }
}
