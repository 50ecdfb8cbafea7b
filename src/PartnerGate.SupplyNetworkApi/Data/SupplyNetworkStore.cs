using System.Collections.Concurrent;
using System.Collections.Frozen;
using PartnerGate.SupplyNetworkData;

namespace PartnerGate.SupplyNetworkApi.Data;

public enum AcknowledgeOutcome
{
    Acknowledged,
    NotFound,
    AlreadyAcknowledged,
}

/// <summary>
/// The rows of every demo partner, generated once at start-up from the week that holds the start (so a process
/// running across midnight on Sunday keeps its order numbers and dates), plus the acknowledgements made since.
/// Every read takes a partner id: there is no way to ask for "all rows".
/// </summary>
public sealed class SupplyNetworkStore
{
    private readonly FrozenDictionary<Guid, PartnerDataSet> data;

    // Acknowledgements live in memory only: the demo forgets them at restart and starts from the generated state again.
    private readonly ConcurrentDictionary<(Guid PartnerId, string OrderId), PurchaseOrderAcknowledgement> acknowledgements = new();

    public SupplyNetworkStore(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        Anchor = SupplyNetworkDataGenerator.StartOfWeek(clock.GetUtcNow());
        data = DemoPartners.All.ToFrozenDictionary(p => p.Id, p => SupplyNetworkDataGenerator.Generate(p, Anchor));
    }

    /// <summary>The Monday (UTC) every generated date is counted from.</summary>
    public DateOnly Anchor { get; }

    /// <summary>An unknown partner simply has no rows: a partner added in the portal later is not an error here.</summary>
    public PartnerDataSet For(Guid partnerId) => data.GetValueOrDefault(partnerId, PartnerDataSet.Empty);

    public IReadOnlyList<PurchaseOrder> PurchaseOrders(Guid partnerId) => [.. For(partnerId).PurchaseOrders.Select(o => WithAcknowledgement(partnerId, o))];

    public PurchaseOrder? PurchaseOrder(Guid partnerId, string orderId) =>
        For(partnerId).PurchaseOrders.FirstOrDefault(o => string.Equals(o.Id, orderId, StringComparison.Ordinal)) is { } order
            ? WithAcknowledgement(partnerId, order)
            : null;

    /// <summary>Acknowledges an open order once; concurrent attempts on the same order see exactly one success.</summary>
    public (AcknowledgeOutcome Outcome, PurchaseOrder? Order) Acknowledge(Guid partnerId, string orderId, PurchaseOrderAcknowledgement acknowledgement)
    {
        var order = For(partnerId).PurchaseOrders.FirstOrDefault(o => string.Equals(o.Id, orderId, StringComparison.Ordinal));
        if (order is null)
        {
            return (AcknowledgeOutcome.NotFound, null);
        }

        if (order.Status != PurchaseOrderStatus.Open || !acknowledgements.TryAdd((partnerId, order.Id), acknowledgement))
        {
            return (AcknowledgeOutcome.AlreadyAcknowledged, WithAcknowledgement(partnerId, order));
        }

        return (AcknowledgeOutcome.Acknowledged, WithAcknowledgement(partnerId, order));
    }

    private PurchaseOrder WithAcknowledgement(Guid partnerId, PurchaseOrder order) =>
        acknowledgements.TryGetValue((partnerId, order.Id), out var acknowledgement)
            ? order with { Status = PurchaseOrderStatus.Acknowledged, Acknowledgement = acknowledgement }
            : order;
}
