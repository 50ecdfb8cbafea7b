using System.Threading.Channels;

namespace PartnerGate.Web.Infrastructure.Mail;

/// <summary>
/// Wakes the outbox dispatcher when mail was written, so a notification leaves at once instead of at the
/// next interval. Pokes coalesce: however many arrive while a pass runs, they cause one more pass.
/// </summary>
public sealed class OutboxSignal
{
    private readonly Channel<bool> pokes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    public void Poke() => pokes.Writer.TryWrite(true);

    /// <summary>Waits until poked or until <paramref name="timeout"/> passed on <paramref name="clock"/>; true when poked.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (pokes.Reader.TryRead(out _))
        {
            return true;
        }

        using var elapsed = new CancellationTokenSource(timeout, clock);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, elapsed.Token);
        try
        {
            await pokes.Reader.WaitToReadAsync(wait.Token);
            return pokes.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
