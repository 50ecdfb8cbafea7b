namespace PartnerGate.Web.Infrastructure.Live;

/// <summary>
/// For pages whose reload is a heavy query (dashboard, access map): a burst of live updates (a kill switch revoking
/// fifty grants) reloads once, <c>delay</c> after the first, on the component's dispatcher. Requests while a
/// reload waits join it; a request during a running reload queues the next one, so the last change is never missed.
/// </summary>
public sealed class CoalescedReload(Func<Func<Task>, Task> invokeAsync, Func<Task> reloadAndRender, TimeProvider clock) : IDisposable
{
    // Cancelled, never disposed: a reload already handed to the dispatcher may still read its token afterwards.
    private readonly CancellationTokenSource disposed = new();
    private int queued;

    public void Request(TimeSpan delay)
    {
        if (disposed.IsCancellationRequested || Interlocked.Exchange(ref queued, 1) == 1)
        {
            return;
        }

        _ = invokeAsync(async () =>
        {
            try
            {
                await Task.Delay(delay, clock, disposed.Token);
                Interlocked.Exchange(ref queued, 0);
                await reloadAndRender();
            }
            catch (OperationCanceledException)
            {
                // The page closed while a reload waited.
            }
        });
    }

    public void Dispose() => disposed.Cancel();
}
