using PartnerGate.Web.Infrastructure.Auditing;

namespace PartnerGate.Web.Features.Audit;

public static class AuditRegistration
{
    /// <summary>The audit viewer's policy and export writer, and audit events as structured logs / OpenTelemetry.</summary>
    public static IServiceCollection AddPartnerGateAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAuthorizationBuilder().AddAuditReaderPolicy();
        services.AddSingleton<AuditExport>();
        services.AddAuditTelemetry(configuration);
        return services;
    }
}
