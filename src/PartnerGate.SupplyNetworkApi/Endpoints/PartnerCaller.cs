using PartnerGate.ResourceServer;

namespace PartnerGate.SupplyNetworkApi.Endpoints;

/// <summary>
/// Puts the caller PartnerGate vouched for into the request, or answers 403 when the token names no single
/// well-formed partner. The partner comes from the token only: a <c>partner_id</c> in the query string is never read.
/// </summary>
public sealed class RequirePartnerCallerFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.HttpContext.User.GetPartnerGateCaller() is not { } caller)
        {
            return SupplyNetworkProblems.NoPartner();
        }

        context.HttpContext.Items[typeof(PartnerGateCaller)] = caller;
        return await next(context);
    }
}

public static class PartnerCallerHttpContextExtensions
{
    /// <summary>The caller set by <see cref="RequirePartnerCallerFilter"/>; only endpoints behind that filter may ask.</summary>
    public static PartnerGateCaller Caller(this HttpContext context) =>
        context.Items[typeof(PartnerGateCaller)] as PartnerGateCaller
            ?? throw new InvalidOperationException($"The endpoint is not behind {nameof(RequirePartnerCallerFilter)}.");
}
