namespace PartnerGate.SupplyNetworkData;

/// <summary>The scopes PartnerGate's demo resources define; each endpoint needs exactly the one its data belongs to.</summary>
public static class SupplyNetworkScopes
{
    public const string OrdersRead = "orders.read";
    public const string OrdersAcknowledge = "orders.acknowledge";
    public const string ForecastRead = "forecast.read";
    public const string InventoryRead = "inventory.read";
    public const string TelemetryRead = "telemetry.read";
    public const string QualityRead = "quality.read";
}
