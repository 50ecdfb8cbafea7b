using Microsoft.AspNetCore.DataProtection;

namespace PartnerGate.Web.Infrastructure.Federation;

/// <summary>
/// Protects partner IdPs' client secrets at rest with Data Protection (keys in the database, themselves
/// encrypted when <c>DataProtection:CertificatePath</c> is set). The clear secret exists only in memory, on the
/// way to the provider's token endpoint; it is never shown again, logged or audited.
/// </summary>
public sealed class IdentityProviderSecrets(IDataProtectionProvider dataProtection)
{
    private readonly IDataProtector protector = dataProtection.CreateProtector("PartnerGate.Federation.IdentityProviderClientSecret.v1");

    public string Protect(string clientSecret) => protector.Protect(clientSecret);

    public string Unprotect(string protectedClientSecret) => protector.Unprotect(protectedClientSecret);
}
