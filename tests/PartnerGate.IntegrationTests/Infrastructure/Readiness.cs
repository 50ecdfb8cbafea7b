using System.Diagnostics;

namespace PartnerGate.IntegrationTests.Infrastructure;

/// <summary>
/// Waits for portals to report <c>Healthy</c> on <c>/health/ready</c>. With Redis configured a node reads
/// <c>Degraded</c> until it listens to the other nodes (it connects in the background), so this is how a test, the
/// end-to-end fixture or a bench knows a deployment's nodes hear each other. Linked into those projects too.
/// </summary>
public static class Readiness
{
    public static async Task UntilHealthyAsync(TimeSpan timeout, params Uri[] baseAddresses)
    {
        var waited = Stopwatch.StartNew();
        foreach (var baseAddress in baseAddresses)
        {
            using var http = new HttpClient { BaseAddress = baseAddress };
            while (await http.GetStringAsync("/health/ready") != "Healthy")
            {
                if (waited.Elapsed > timeout)
                {
                    throw new TimeoutException($"{baseAddress} was not Healthy within {timeout.TotalSeconds:F0} s (is Redis running?).");
                }

                await Task.Delay(50);
            }
        }
    }
}
