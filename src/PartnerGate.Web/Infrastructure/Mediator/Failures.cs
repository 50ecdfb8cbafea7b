using System.Reflection;
using PartnerGate.Domain.Common;

namespace PartnerGate.Web.Infrastructure.Mediator;

/// <summary>
/// Builds a failed <typeparamref name="TResponse"/> from inside open-generic behaviours. Behaviours are
/// deliberately unconstrained (a constraint would silently skip authorization for a message whose
/// response is not a result), so a refusal for a non-result message throws instead.
/// </summary>
internal static class Failures<TResponse>
{
    private static readonly Func<Error, TResponse>? Factory = CreateFactory();

    public static bool CanRepresent => Factory is not null;

    public static TResponse From(Error error) => Factory is { } factory
        ? factory(error)
        : throw new UnauthorizedAccessException($"{typeof(TResponse).Name} cannot carry the refusal '{error.Code}': {error.Message}");

    private static Func<Error, TResponse>? CreateFactory()
    {
        var factoryInterface = typeof(IFailureFactory<>).MakeGenericType(typeof(TResponse));
        if (!factoryInterface.IsAssignableFrom(typeof(TResponse)))
        {
            return null;
        }

        var method = typeof(TResponse).GetMethod(nameof(Result.Failure), BindingFlags.Public | BindingFlags.Static, [typeof(Error)])!;
        return method.CreateDelegate<Func<Error, TResponse>>();
    }
}
