using PartnerGate.ResourceServer;
using PartnerGate.SupplyNetworkApi.Data;
using PartnerGate.SupplyNetworkData;

namespace PartnerGate.SupplyNetworkApi.Endpoints;

/// <summary>The read-only lists: forecasts, inventory, line telemetry and quality records, each the caller's own.</summary>
public static class SupplyDataEndpoints
{
    public static RouteGroupBuilder MapSupplyData(this RouteGroupBuilder api)
    {
        api.MapGet("/demand-forecasts", DemandForecasts).RequireScope(SupplyNetworkScopes.ForecastRead);
        api.MapGet("/inventory", Inventory).RequireScope(SupplyNetworkScopes.InventoryRead);
        api.MapGet("/line-telemetry", LineTelemetry).RequireScope(SupplyNetworkScopes.TelemetryRead);
        api.MapGet("/quality-records", QualityRecords).RequireScope(SupplyNetworkScopes.QualityRead);
        return api;
    }

    private static IResult DemandForecasts(HttpContext context, SupplyNetworkStore store, string? part, string? offset, string? limit)
    {
        if (!PageRequest.TryParse(offset, limit, out var page, out var errors))
        {
            return SupplyNetworkProblems.Invalid(errors);
        }

        var rows = store.For(context.Caller().PartnerId).DemandForecasts.Where(f => QueryFilter.Matches(part, f.PartNumber)).ToList();
        return TypedResults.Ok(page.Apply(rows));
    }

    private static IResult Inventory(HttpContext context, SupplyNetworkStore store, string? part, string? location, string? offset, string? limit)
    {
        var valid = PageRequest.TryParse(offset, limit, out var page, out var errors);
        valid &= QueryFilter.TryParseEnum<InventoryLocationKind>(location, "location", errors, out var kind);
        if (!valid)
        {
            return SupplyNetworkProblems.Invalid(errors);
        }

        var rows = store.For(context.Caller().PartnerId).Inventory
            .Where(i => QueryFilter.Matches(part, i.PartNumber) && (kind is null || i.LocationKind == kind))
            .ToList();
        return TypedResults.Ok(page.Apply(rows));
    }

    private static IResult LineTelemetry(HttpContext context, SupplyNetworkStore store, string? machine, string? metric, string? offset, string? limit)
    {
        if (!PageRequest.TryParse(offset, limit, out var page, out var errors))
        {
            return SupplyNetworkProblems.Invalid(errors);
        }

        var rows = store.For(context.Caller().PartnerId).LineTelemetry
            .Where(r => QueryFilter.Matches(machine, r.Machine) && QueryFilter.Matches(metric, r.Metric))
            .ToList();
        return TypedResults.Ok(page.Apply(rows));
    }

    private static IResult QualityRecords(HttpContext context, SupplyNetworkStore store, string? kind, string? part, string? offset, string? limit)
    {
        var valid = PageRequest.TryParse(offset, limit, out var page, out var errors);
        valid &= QueryFilter.TryParseEnum<QualityRecordKind>(kind, "kind", errors, out var wanted);
        if (!valid)
        {
            return SupplyNetworkProblems.Invalid(errors);
        }

        var rows = store.For(context.Caller().PartnerId).QualityRecords
            .Where(r => (wanted is null || r.Kind == wanted) && QueryFilter.Matches(part, r.PartNumber))
            .ToList();
        return TypedResults.Ok(page.Apply(rows));
    }
}
