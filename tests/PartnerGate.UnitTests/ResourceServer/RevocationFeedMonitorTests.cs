using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PartnerGate.ResourceServer;
using PartnerGate.ResourceServer.RevocationFeed;

namespace PartnerGate.UnitTests.ResourceServer;

/// <summary>The feed's status: cursor movement, liveness by the host clock and the wait hook.</summary>
public sealed class RevocationFeedMonitorTests
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Cursor_NeverMovesBack_ThroughEvents_ButASnapshotSetsIt()
    {
        var monitor = Monitor();

        monitor.MarkSynced(40, afterSnapshot: true);
        monitor.Advance(42);
        monitor.Advance(41);
        var afterEvents = monitor.Cursor;
        monitor.MarkSynced(42, afterSnapshot: false);
        monitor.MarkSynced(7, afterSnapshot: true);

        Assert.Equal(42, afterEvents);
        Assert.Equal(7, monitor.Cursor);
    }

    [Fact]
    public void IsCurrent_NeedsASync_AndAMessageWithinTheBound()
    {
        var monitor = Monitor();
        monitor.Heard();
        var heardButNotSynced = monitor.IsCurrent;

        monitor.MarkSynced(1, afterSnapshot: true);
        clock.Advance(TimeSpan.FromSeconds(2));
        var withinBound = monitor.IsCurrent;
        clock.Advance(TimeSpan.FromSeconds(1) + TimeSpan.FromTicks(1));

        Assert.False(heardButNotSynced);
        Assert.True(withinBound);
        Assert.False(monitor.IsCurrent);
        Assert.Equal(clock.GetUtcNow() - TimeSpan.FromSeconds(3) - TimeSpan.FromTicks(1), monitor.LastMessageAt);
    }

    [Fact]
    public async Task WaitForCursor_CompletesOnlyOnceSyncedAndAtTheCursor()
    {
        var monitor = Monitor();
        var firstSync = monitor.WaitForCursorAsync(0, TestContext.Current.CancellationToken);
        var laterEvent = monitor.WaitForCursorAsync(5, TestContext.Current.CancellationToken);

        monitor.Advance(3);
        var beforeSync = firstSync.IsCompleted;
        monitor.MarkSynced(3, afterSnapshot: true);
        await firstSync;
        var atThree = laterEvent.IsCompleted;
        monitor.Advance(5);
        await laterEvent;

        Assert.False(beforeSync);
        Assert.False(atThree);
    }

    private RevocationFeedMonitor Monitor()
    {
        var options = new PartnerGateResourceServerOptions();
        options.RevocationFeed.SilenceBound = TimeSpan.FromSeconds(3);
        return new RevocationFeedMonitor(Options.Create(options), clock);
    }
}
