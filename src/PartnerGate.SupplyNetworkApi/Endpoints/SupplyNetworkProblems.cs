namespace PartnerGate.SupplyNetworkApi.Endpoints;

/// <summary>The API's RFC 9457 answers for the failures its endpoints decide themselves.</summary>
public static class SupplyNetworkProblems
{
    public static IResult NoPartner() => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: "The token does not name a partner.",
        detail: "Data here is served per partner; the access token must carry exactly one well-formed partner_id and grant_id.");

    public static IResult Invalid(IDictionary<string, string[]> errors) => TypedResults.ValidationProblem(errors, title: "The request is not valid.");

    // The same answer whether the order does not exist or belongs to another partner: an id reveals nothing.
    public static IResult OrderNotFound(string orderId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Purchase order not found.",
        detail: $"There is no purchase order '{orderId}' for your organisation.");

    public static IResult AlreadyAcknowledged(string orderId) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Purchase order already acknowledged.",
        detail: $"Purchase order '{orderId}' is no longer open for acknowledgement.");
}
