using PartnerGate.ResourceServer;
using PartnerGate.SupplyNetworkApi.Data;
using PartnerGate.SupplyNetworkData;

namespace PartnerGate.SupplyNetworkApi.Endpoints;

/// <summary>The body of an acknowledgement: the date the partner promises to deliver by, and an optional note.</summary>
public sealed record AcknowledgePurchaseOrderRequest(DateOnly? PromisedDeliveryDate, string? Note);

public static class PurchaseOrderEndpoints
{
    public const int MaximumNoteLength = 500;

    /// <summary>How far ahead a promise may reach; further is a typing error rather than a plan.</summary>
    public const int MaximumPromiseDays = 365;

    public static RouteGroupBuilder MapPurchaseOrders(this RouteGroupBuilder api)
    {
        api.MapGet("/purchase-orders", List).RequireScope(SupplyNetworkScopes.OrdersRead);
        api.MapGet("/purchase-orders/{id}", Get).RequireScope(SupplyNetworkScopes.OrdersRead);
        api.MapPost("/purchase-orders/{id}/acknowledge", Acknowledge).RequireScope(SupplyNetworkScopes.OrdersAcknowledge);
        return api;
    }

    private static IResult List(HttpContext context, SupplyNetworkStore store, string? status, string? offset, string? limit)
    {
        var valid = PageRequest.TryParse(offset, limit, out var page, out var errors);
        valid &= QueryFilter.TryParseEnum<PurchaseOrderStatus>(status, "status", errors, out var wanted);
        if (!valid)
        {
            return SupplyNetworkProblems.Invalid(errors);
        }

        var orders = store.PurchaseOrders(context.Caller().PartnerId).Where(o => wanted is null || o.Status == wanted).ToList();
        return TypedResults.Ok(page.Apply(orders));
    }

    private static IResult Get(HttpContext context, SupplyNetworkStore store, string id) =>
        store.PurchaseOrder(context.Caller().PartnerId, id) is { } order ? TypedResults.Ok(order) : SupplyNetworkProblems.OrderNotFound(id);

    private static IResult Acknowledge(HttpContext context, SupplyNetworkStore store, TimeProvider clock, string id, AcknowledgePurchaseOrderRequest? body)
    {
        var now = clock.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var errors = new Dictionary<string, string[]>();
        if (body?.PromisedDeliveryDate is not { } promised)
        {
            errors["promisedDeliveryDate"] = ["promisedDeliveryDate is required (yyyy-MM-dd)."];
        }
        else if (promised < today || promised > today.AddDays(MaximumPromiseDays))
        {
            errors["promisedDeliveryDate"] = [$"promisedDeliveryDate must lie between today and {MaximumPromiseDays} days ahead."];
        }

        if (body?.Note is { Length: > MaximumNoteLength })
        {
            errors["note"] = [$"note may hold at most {MaximumNoteLength} characters."];
        }

        if (errors.Count > 0)
        {
            return SupplyNetworkProblems.Invalid(errors);
        }

        var caller = context.Caller();
        var note = string.IsNullOrWhiteSpace(body!.Note) ? null : body.Note.Trim();
        var (outcome, order) = store.Acknowledge(caller.PartnerId, id, new PurchaseOrderAcknowledgement(body.PromisedDeliveryDate!.Value, note, now, caller.ClientId));
        return outcome switch
        {
            AcknowledgeOutcome.Acknowledged => TypedResults.Ok(order),
            AcknowledgeOutcome.AlreadyAcknowledged => SupplyNetworkProblems.AlreadyAcknowledged(id),
            _ => SupplyNetworkProblems.OrderNotFound(id),
        };
    }
}
