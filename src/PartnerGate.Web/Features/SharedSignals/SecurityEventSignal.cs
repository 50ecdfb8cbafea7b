using Mediator;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>
/// Wakes this node's feed readers when a command here (or, relayed over Redis, on another node) committed security
/// events, so delivery does not wait for the next database poll; that poll still finds what no wake-up announced.
/// </summary>
public sealed class SecurityEventSignal
{
    private TaskCompletionSource wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long lastKnownSequence;

    /// <summary>The highest sequence this node has committed or been told about.</summary>
    public long LastKnownSequence => Interlocked.Read(ref lastKnownSequence);

    public void Notify(long sequence)
    {
        long seen;
        do
        {
            seen = Interlocked.Read(ref lastKnownSequence);
        }
        while (sequence > seen && Interlocked.CompareExchange(ref lastKnownSequence, sequence, seen) != seen);

        Interlocked.Exchange(ref wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>Completes at the next <see cref="Notify"/>, or after <paramref name="timeout"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        var next = Volatile.Read(ref wake).Task;
        try
        {
            await next.WaitAsync(timeout, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }
}

/// <summary>Turns <see cref="SecurityEventsAppended"/> into a wake-up of this node's feed.</summary>
public sealed class SecurityEventSignalHandler(SecurityEventSignal signal) : INotificationHandler<SecurityEventsAppended>
{
    public ValueTask Handle(SecurityEventsAppended notification, CancellationToken cancellationToken)
    {
        signal.Notify(notification.LastSequence);
        return ValueTask.CompletedTask;
    }
}
