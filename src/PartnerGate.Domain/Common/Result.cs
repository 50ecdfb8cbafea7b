namespace PartnerGate.Domain.Common;

/// <summary>What kind of expected failure an <see cref="Error"/> is; the UI and the API map it (e.g. to an HTTP status).</summary>
public enum ErrorKind
{
    Validation,
    NotFound,
    Forbidden,
    Conflict,
    PolicyRefused,
}

/// <summary>An expected failure with a message written for the person who caused it.</summary>
public sealed record Error(ErrorKind Kind, string Code, string Message)
{
    /// <summary>Per-field messages for forms (property name → messages); null when the error is not about fields.</summary>
    public IReadOnlyDictionary<string, string[]>? FieldErrors { get; init; }

    public static Error Validation(string code, string message) => new(ErrorKind.Validation, code, message);
    public static Error NotFound(string code, string message) => new(ErrorKind.NotFound, code, message);
    public static Error Forbidden(string code, string message) => new(ErrorKind.Forbidden, code, message);
    public static Error Conflict(string code, string message) => new(ErrorKind.Conflict, code, message);
    public static Error PolicyRefused(string code, string message) => new(ErrorKind.PolicyRefused, code, message);
}

/// <summary>
/// Marks result types so pipeline behaviours (validation, authorization) can turn a refusal into a
/// failed result instead of throwing: expected failures are results, not exceptions.
/// </summary>
public interface IResultBase
{
    bool IsSuccess { get; }
    Error? Error { get; }
}

/// <summary>Lets generic code build a failed result of a concrete type without reflection.</summary>
public interface IFailureFactory<out TSelf>
{
    static abstract TSelf Failure(Error error);
}

public sealed class Result : IResultBase, IFailureFactory<Result>
{
    private static readonly Result SuccessInstance = new(null);

    private Result(Error? error) => Error = error;

    public bool IsSuccess => Error is null;
    public Error? Error { get; }

    public static Result Success() => SuccessInstance;
    public static Result Failure(Error error) => new(error ?? throw new ArgumentNullException(nameof(error)));

    public static implicit operator Result(Error error) => Failure(error);
}

public sealed class Result<T> : IResultBase, IFailureFactory<Result<T>>
{
    private readonly T? value;

    private Result(T? value, Error? error)
    {
        this.value = value;
        Error = error;
    }

    public bool IsSuccess => Error is null;
    public Error? Error { get; }

    /// <summary>The value of a successful result; reading it from a failure is a programming error.</summary>
    public T Value => IsSuccess ? value! : throw new InvalidOperationException($"The result failed ({Error!.Code}); it has no value.");

    public static Result<T> Success(T value) => new(value, null);
    public static Result<T> Failure(Error error) => new(default, error ?? throw new ArgumentNullException(nameof(error)));

    public static implicit operator Result<T>(T value) => Success(value);
    public static implicit operator Result<T>(Error error) => Failure(error);
}
