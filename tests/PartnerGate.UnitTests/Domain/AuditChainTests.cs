using System.Reflection;
using PartnerGate.Domain.Auditing;

namespace PartnerGate.UnitTests.Domain;

/// <summary>Invariant 6 in memory: the chain verifies, and any edit, deletion or reordering is found where it happened.</summary>
public sealed class AuditChainTests
{
    private static List<AuditEvent> Chain(int count)
    {
        var events = new List<AuditEvent>();
        var previous = AuditEvent.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var auditEvent = AuditEvent.Append(i, previous, DateTimeOffset.UnixEpoch.AddMinutes(i), "user-1", "Arne", null,
                "request.approved", "AccessRequest", $"request-{i}", """{"scopes":["orders.read"]}""");
            events.Add(auditEvent);
            previous = auditEvent.Hash;
        }

        return events;
    }

    [Fact]
    public void Verify_UntouchedChain_IsIntact()
    {
        var result = AuditChainVerifier.Verify(Chain(5));

        Assert.True(result.IsIntact);
        Assert.Equal(5, result.EventsChecked);
    }

    [Fact]
    public void Verify_EditedEvent_BreaksAtThatEvent()
    {
        var events = Chain(5);
        typeof(AuditEvent).GetProperty(nameof(AuditEvent.TargetId))!.SetValue(events[2], "request-99");

        var result = AuditChainVerifier.Verify(events);

        Assert.False(result.IsIntact);
        Assert.Equal(3, result.BrokenAtSequence);
        Assert.Contains("changed", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_DeletedEvent_BreaksWhereItWas()
    {
        var events = Chain(5);
        events.RemoveAt(1);

        var result = AuditChainVerifier.Verify(events);

        Assert.Equal(2, result.BrokenAtSequence);
    }

    [Fact]
    public void Verify_ReorderedEvents_BreakAtTheFirstSwap()
    {
        var events = Chain(5);
        (events[1], events[2]) = (events[2], events[1]);

        var result = AuditChainVerifier.Verify(events);

        Assert.Equal(2, result.BrokenAtSequence);
    }

    [Fact]
    public void Verify_EditedAction_IsCaughtByItsHash()
    {
        var events = Chain(3);
        var set = (string name, object value) => typeof(AuditEvent).GetProperty(name, BindingFlags.Public | BindingFlags.Instance)!.SetValue(events[1], value);
        set(nameof(AuditEvent.Action), "request.denied");

        Assert.Equal(2, AuditChainVerifier.Verify(events).BrokenAtSequence);
    }

    [Fact]
    public void Append_TruncatesTimestampToMicroseconds_SoDatabaseRoundTripsKeepTheHash()
    {
        var precise = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero).AddTicks(1234567);

        var auditEvent = AuditEvent.Append(1, AuditEvent.GenesisHash, precise, null, "system", null, "demo.seeded", "System", "-", null);

        Assert.Equal(0, auditEvent.OccurredAt.UtcTicks % 10);
        Assert.Equal(auditEvent.Hash, auditEvent.ComputeHash());
    }
}
