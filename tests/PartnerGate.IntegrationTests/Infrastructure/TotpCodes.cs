using System.Runtime.CompilerServices;
using PartnerGate.Web.Features.Account;

namespace PartnerGate.IntegrationTests.Infrastructure;

/// <summary>
/// Authenticator codes for tests that sign staff in. The server takes each time step once per user and accepts one
/// step either side of now, so many tests signing in the same user share this tracker: each gets a step not used
/// yet inside the window, and only when all three are used does one wait for the next step.
/// Compiled into the end-to-end tests as well.
/// </summary>
public static class TotpCodes
{
    private const int StepSeconds = 30;

    /// <summary>Per app (one database): the last step used for each e-mail.</summary>
    private static readonly ConditionalWeakTable<object, Dictionary<string, long>> LastSteps = new();

    public static async Task<string> NextAsync(object app, TimeProvider clock, string email, string key)
    {
        var used = LastSteps.GetValue(app, _ => new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase));
        while (true)
        {
            var now = clock.GetUtcNow();
            var seconds = now.ToUnixTimeMilliseconds() / 1000.0;
            var current = (long)Math.Floor(seconds / StepSeconds);
            var secondsLeft = ((current + 1) * StepSeconds) - seconds;
            lock (used)
            {
                var last = used.TryGetValue(email, out var l) ? l : long.MinValue;

                // The previous step only while it is safely inside the window when the server checks it.
                var candidates = secondsLeft > 5 ? new[] { current - 1, current, current + 1 } : [current, current + 1];
                foreach (var step in candidates.Where(s => s > last))
                {
                    used[email] = step;
                    return StaffAuthenticator.CodeAt(key, DateTimeOffset.FromUnixTimeSeconds(step * StepSeconds));
                }
            }

            if (clock != TimeProvider.System)
            {
                throw new InvalidOperationException($"Every step in the window was used for {email}; advance the fake clock by 30 s.");
            }

            await Task.Delay(TimeSpan.FromSeconds(secondsLeft + 0.2));
        }
    }

    /// <summary>Marks a step as used by a test that entered a code itself, so the tracker never hands it out again.</summary>
    public static void MarkUsed(object app, string email, long step)
    {
        var used = LastSteps.GetValue(app, _ => new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase));
        lock (used)
        {
            used[email] = Math.Max(step, used.TryGetValue(email, out var last) ? last : long.MinValue);
        }
    }

    public static long StepAt(DateTimeOffset moment) => moment.ToUnixTimeSeconds() / StepSeconds;
}
