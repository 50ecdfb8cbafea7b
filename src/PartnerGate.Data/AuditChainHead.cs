using PartnerGate.Domain.Auditing;

namespace PartnerGate.Data;

/// <summary>
/// The single row that holds the tail of the audit chain. Writers update it first in their transaction,
/// which takes a row lock on every provider: concurrent transactions (on any node) append one after the
/// other instead of forking the chain.
/// </summary>
public sealed class AuditChainHead
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;
    public long LastSequence { get; set; }
    public string LastHash { get; set; } = AuditEvent.GenesisHash;

    /// <summary>Bumped to take the row lock before the tail is read.</summary>
    public long LockCounter { get; set; }
}
