namespace PartnerGate.SupplyNetworkData;

/// <summary>What one scope reaches in the demo API for one partner: the data set it opens and how many records that is.</summary>
public sealed record ScopeReach(string Scope, string DataSet, int Records);

/// <summary>
/// How many of a partner's records in the demo supply-network API a set of scopes reaches: the blast radius in
/// records. It reads the same generated rows the API serves and counts exactly what the API's list endpoints answer
/// as <c>total</c> (without filters), so the portal's number is the API's number, not an estimate.
/// </summary>
public static class SupplyNetworkReach
{
    /// <summary>
    /// The audiences the demo API accepts (its <c>Audience</c> and <c>AdditionalAudiences</c> defaults): only grants on
    /// these resources reach its records; any other resource is some other API whose records PartnerGate cannot count.
    /// </summary>
    public static readonly IReadOnlySet<string> Audiences = new HashSet<string>(
        new[] { "purchase-orders", "demand-forecast", "inventory", "line-telemetry", "quality-records" }
            .Select(name => "https://supply.acme.example/" + name),
        StringComparer.Ordinal);

    /// <summary>Whether tokens for <paramref name="audience"/> are accepted by the demo API.</summary>
    public static bool Serves(string audience) => Audiences.Contains(audience);

    /// <summary>
    /// The records one scope reaches in <paramref name="data"/>, or null when the demo API has no endpoint for the scope
    /// (e.g. <c>quality.write</c>). <c>orders.acknowledge</c> reaches the open orders: those it can change.
    /// </summary>
    public static ScopeReach? For(PartnerDataSet data, string scope)
    {
        ArgumentNullException.ThrowIfNull(data);
        return scope switch
        {
            SupplyNetworkScopes.OrdersRead => new(scope, "purchase orders", data.PurchaseOrders.Count),
            SupplyNetworkScopes.OrdersAcknowledge => new(scope, "open purchase orders (can acknowledge)",
                data.PurchaseOrders.Count(o => o.Status == PurchaseOrderStatus.Open)),
            SupplyNetworkScopes.ForecastRead => new(scope, "demand forecasts", data.DemandForecasts.Count),
            SupplyNetworkScopes.InventoryRead => new(scope, "inventory positions", data.Inventory.Count),
            SupplyNetworkScopes.TelemetryRead => new(scope, "telemetry readings", data.LineTelemetry.Count),
            SupplyNetworkScopes.QualityRead => new(scope, "quality records", data.QualityRecords.Count),
            _ => null,
        };
    }

    /// <summary>
    /// What <paramref name="scopes"/> reach of the partner's generated data for the week of <paramref name="anchor"/>,
    /// one entry per scope the API serves (in the order given, without repeats), and the distinct records in all:
    /// orders reached through both <c>orders.read</c> and <c>orders.acknowledge</c> count once.
    /// </summary>
    public static (IReadOnlyList<ScopeReach> Scopes, int DistinctRecords) Count(Guid partnerId, IEnumerable<string> scopes, DateOnly anchor)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var data = DemoPartners.Find(partnerId) is { } partner ? SupplyNetworkDataGenerator.Generate(partner, anchor) : PartnerDataSet.Empty;
        var reached = scopes.Distinct(StringComparer.Ordinal).Select(scope => For(data, scope)).OfType<ScopeReach>().ToList();

        // Every scope opens its own data set, except that acknowledging reaches a subset of what reading reaches.
        var distinct = reached.Where(r => r.Scope != SupplyNetworkScopes.OrdersAcknowledge
                || !reached.Any(o => o.Scope == SupplyNetworkScopes.OrdersRead))
            .Sum(r => r.Records);
        return (reached, distinct);
    }
}
