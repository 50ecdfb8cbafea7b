namespace PartnerGate.SupplyNetworkData;

/// <summary>Where an order stands. Only an <see cref="Open"/> order can be acknowledged.</summary>
public enum PurchaseOrderStatus
{
    Open,
    Acknowledged,
    Shipped,
    Received,
}

public sealed record PurchaseOrderLine(int LineNumber, string PartNumber, string Description, int Quantity, string Unit, decimal UnitPrice, DateOnly DueDate);

public sealed record PurchaseOrderAcknowledgement(DateOnly PromisedDeliveryDate, string? Note, DateTimeOffset AcknowledgedAt, string AcknowledgedBy);

public sealed record PurchaseOrder(
    string Id,
    DateOnly OrderDate,
    DateOnly DueDate,
    string Plant,
    string Currency,
    PurchaseOrderStatus Status,
    decimal Total,
    IReadOnlyList<PurchaseOrderLine> Lines,
    PurchaseOrderAcknowledgement? Acknowledgement);

public sealed record WeeklyDemand(DateOnly WeekStarting, int Quantity);

public sealed record DemandForecast(string PartNumber, string Description, string Plant, string Unit, IReadOnlyList<WeeklyDemand> Weeks);

/// <summary>Stock the manufacturer holds in its own plant, or consignment stock the partner owns at the manufacturer's site.</summary>
public enum InventoryLocationKind
{
    Plant,
    Consignment,
}

public sealed record InventoryPosition(
    string PartNumber,
    string Description,
    InventoryLocationKind LocationKind,
    string Site,
    int OnHand,
    int Reserved,
    int ReorderPoint,
    string Unit,
    DateTimeOffset CountedAt);

public sealed record TelemetryReading(string Line, string Machine, string Metric, double Value, string Unit, DateTimeOffset RecordedAt);

public enum QualityRecordKind
{
    Inspection,
    NonConformance,
}

public sealed record QualityRecord(
    string Id,
    QualityRecordKind Kind,
    string PartNumber,
    DateOnly RecordedOn,
    string Outcome,
    int SampleSize,
    int Defects,
    string Summary);

/// <summary>Everything the API holds about one partner, as generated at start-up.</summary>
public sealed record PartnerDataSet(
    IReadOnlyList<PurchaseOrder> PurchaseOrders,
    IReadOnlyList<DemandForecast> DemandForecasts,
    IReadOnlyList<InventoryPosition> Inventory,
    IReadOnlyList<TelemetryReading> LineTelemetry,
    IReadOnlyList<QualityRecord> QualityRecords)
{
    public static readonly PartnerDataSet Empty = new([], [], [], [], []);
}
