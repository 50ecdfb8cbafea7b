using OpenTelemetry.Logs;
using OpenTelemetry.Resources;

namespace PartnerGate.Web.Infrastructure.Auditing;

/// <summary>
/// OpenTelemetry logging, exported over OTLP only when an endpoint is configured: the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (with <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_EXPORTER_OTLP_HEADERS</c>), or
/// <c>Telemetry:Otlp:Endpoint</c> (+ <c>Telemetry:Otlp:Protocol</c> grpc|http/protobuf). Off otherwise: no provider,
/// no cost. Audit events travel as the <see cref="AuditEventLog.Category"/> records with their fields as attributes.
/// </summary>
public static class AuditTelemetry
{
    public const string ServiceName = "PartnerGate";

    public static bool IsConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["Telemetry:Otlp:Endpoint"]) || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static IServiceCollection AddAuditTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        if (!IsConfigured(configuration))
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? ServiceName))
            .WithLogging(logging => logging.AddOtlpExporter(options =>
            {
                if (configuration["Telemetry:Otlp:Endpoint"] is { Length: > 0 } endpoint)
                {
                    options.Endpoint = new Uri(endpoint);
                    options.Protocol = string.Equals(configuration["Telemetry:Otlp:Protocol"], "http/protobuf", StringComparison.OrdinalIgnoreCase)
                        ? OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf
                        : OpenTelemetry.Exporter.OtlpExportProtocol.Grpc;
                }
            }), options =>
            {
                // The structured fields are the point: keep them as attributes, and the rendered message for humans.
                options.IncludeFormattedMessage = true;
                options.ParseStateValues = true;
            });
        return services;
    }
}
