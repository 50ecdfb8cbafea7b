using FluentValidation;
using Mediator;
using PartnerGate.Domain.Common;

namespace PartnerGate.Web.Infrastructure.Mediator;

/// <summary>Runs the message's FluentValidation validators; invalid input becomes a validation failure before anything is read or written.</summary>
public sealed class ValidationBehavior<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var failures = new List<FluentValidation.Results.ValidationFailure>();
        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(message, cancellationToken);
            failures.AddRange(result.Errors);
        }

        if (failures.Count == 0)
        {
            return await next(message, cancellationToken);
        }

        var fields = failures
            .GroupBy(f => f.PropertyName, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        var error = Error.Validation("validation_failed", string.Join(" ", failures.Select(f => f.ErrorMessage).Distinct(StringComparer.Ordinal))) with
        {
            FieldErrors = fields,
        };
        return Failures<TResponse>.From(error);
    }
}
