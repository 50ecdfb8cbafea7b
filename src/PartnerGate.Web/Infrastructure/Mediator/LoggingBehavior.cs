using System.Diagnostics;
using Mediator;
using PartnerGate.Domain.Common;

namespace PartnerGate.Web.Infrastructure.Mediator;

/// <summary>
/// First in the pipeline: logs which message ran, how long it took and how it ended. Only the message's
/// type name is logged, never its content — messages carry passwords, secrets and justifications.
/// </summary>
public sealed partial class LoggingBehavior<TMessage, TResponse>(ILogger<LoggingBehavior<TMessage, TResponse>> logger)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await next(message, cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (response is IResultBase { IsSuccess: false, Error: { } error })
            {
                LogRefused(typeof(TMessage).Name, elapsed, error.Kind, error.Code);
            }
            else
            {
                LogHandled(typeof(TMessage).Name, elapsed);
            }

            return response;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFailed(exception, typeof(TMessage).Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{MessageName} handled in {ElapsedMs:0.0} ms")]
    private partial void LogHandled(string messageName, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{MessageName} refused in {ElapsedMs:0.0} ms: {Kind} {Code}")]
    private partial void LogRefused(string messageName, double elapsedMs, ErrorKind kind, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "{MessageName} failed after {ElapsedMs:0.0} ms")]
    private partial void LogFailed(Exception exception, string messageName, double elapsedMs);
}
