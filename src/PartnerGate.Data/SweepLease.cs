namespace PartnerGate.Data;

/// <summary>
/// A named lease row: with several nodes, only the node holding a sweep's lease runs it. Taking the
/// lease is one conditional UPDATE, so two nodes can never both believe they hold it.
/// </summary>
public sealed class SweepLease
{
    public string Name { get; set; } = string.Empty;
    public string? Holder { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
