using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PartnerGate.Domain.Common;

namespace PartnerGate.Domain.Auditing;

/// <summary>
/// An append-only record of one state change. Events form a hash chain (invariant 6): each stores the
/// hash of its predecessor and a hash over its own content, so an edited, deleted or reordered event
/// breaks verification at exactly that place.
/// </summary>
public sealed class AuditEvent
{
    /// <summary>The hash the first event in the chain links to.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    private AuditEvent()
    {
        Action = string.Empty;
        ActorName = string.Empty;
        TargetType = string.Empty;
        TargetId = string.Empty;
        PreviousHash = string.Empty;
        Hash = string.Empty;
    }

    /// <summary>Position in the chain, 1-based and gap-free; unique in the database, so two writers cannot both extend the same tail.</summary>
    public long Sequence { get; private set; }
    public Guid Id { get; private set; }
    public DateTimeOffset OccurredAt { get; private set; }

    /// <summary>User id, client id or <c>system</c>.</summary>
    public string? ActorId { get; private set; }
    public string ActorName { get; private set; }

    /// <summary>The partner whose data changed, so partner users can be shown their own audit trail only.</summary>
    public Guid? PartnerId { get; private set; }

    /// <summary>Dotted verb, e.g. <c>account.signed_in</c>, <c>request.approved</c>.</summary>
    public string Action { get; private set; }
    public string TargetType { get; private set; }
    public string TargetId { get; private set; }

    /// <summary>Compact JSON with what the decision was made on. Never secrets or tokens.</summary>
    public string? Details { get; private set; }
    public string PreviousHash { get; private set; }
    public string Hash { get; private set; }

    public static AuditEvent Append(
        long sequence, string previousHash, DateTimeOffset occurredAt, string? actorId, string actorName, Guid? partnerId,
        string action, string targetType, string targetId, string? details)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        var auditEvent = new AuditEvent
        {
            Sequence = sequence,
            Id = Guid.NewGuid(),
            OccurredAt = Clock.Normalize(occurredAt),
            ActorId = actorId,
            ActorName = actorName,
            PartnerId = partnerId,
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            Details = details,
            PreviousHash = previousHash,
        };
        auditEvent.Hash = auditEvent.ComputeHash();
        return auditEvent;
    }

    /// <summary>SHA-256 over every field, each length-prefixed so no two different events share an encoding.</summary>
    public string ComputeHash()
    {
        var builder = new StringBuilder();
        foreach (var field in new[]
                 {
                     Sequence.ToString(CultureInfo.InvariantCulture), Id.ToString("N"),
                     OccurredAt.UtcTicks.ToString(CultureInfo.InvariantCulture), ActorId, ActorName,
                     PartnerId?.ToString("N"), Action, TargetType, TargetId, Details, PreviousHash,
                 })
        {
            builder.Append(field is null ? "-1" : field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append('|');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }
}

/// <summary>The outcome of verifying the chain: intact, or the first sequence where it breaks and why.</summary>
public sealed record AuditChainVerification(bool IsIntact, long EventsChecked, long? BrokenAtSequence, string? Problem)
{
    public static AuditChainVerification Intact(long count) => new(true, count, null, null);
    public static AuditChainVerification Broken(long count, long sequence, string problem) => new(false, count, sequence, problem);
}

/// <summary>Walks events in sequence order and checks numbering, links and content hashes.</summary>
public sealed class AuditChainVerifier
{
    private long expectedSequence = 1;
    private string expectedPrevious = AuditEvent.GenesisHash;
    private long count;

    public AuditChainVerification? Failure { get; private set; }

    /// <summary>Feeds the next event; returns false once the chain is found broken.</summary>
    public bool Next(AuditEvent auditEvent)
    {
        if (Failure is not null)
        {
            return false;
        }

        count++;
        if (auditEvent.Sequence != expectedSequence)
        {
            Failure = AuditChainVerification.Broken(count, expectedSequence,
                $"Event {expectedSequence} is missing or out of order (found {auditEvent.Sequence}).");
        }
        else if (auditEvent.PreviousHash != expectedPrevious)
        {
            Failure = AuditChainVerification.Broken(count, auditEvent.Sequence,
                $"Event {auditEvent.Sequence} does not link to the event before it (deleted or reordered).");
        }
        else if (auditEvent.ComputeHash() != auditEvent.Hash)
        {
            Failure = AuditChainVerification.Broken(count, auditEvent.Sequence,
                $"Event {auditEvent.Sequence} was changed after it was written.");
        }

        expectedSequence = auditEvent.Sequence + 1;
        expectedPrevious = auditEvent.Hash;
        return Failure is null;
    }

    public AuditChainVerification Result() => Failure ?? AuditChainVerification.Intact(count);

    public static AuditChainVerification Verify(IEnumerable<AuditEvent> eventsInSequenceOrder)
    {
        var verifier = new AuditChainVerifier();
        foreach (var auditEvent in eventsInSequenceOrder)
        {
            if (!verifier.Next(auditEvent))
            {
                break;
            }
        }

        return verifier.Result();
    }
}
