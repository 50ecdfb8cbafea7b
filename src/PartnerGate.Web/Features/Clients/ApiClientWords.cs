using PartnerGate.Domain.Clients;

namespace PartnerGate.Web.Features.Clients;

/// <summary>How kinds, methods and states of clients read in the portal.</summary>
public static class ApiClientWords
{
    public static string Kind(ApiClientKind kind) => kind switch
    {
        ApiClientKind.Service => "Service",
        ApiClientKind.WebApp => "Web app",
        _ => "Resource server",
    };

    public static string Method(ClientAuthenticationMethod method) => method switch
    {
        ClientAuthenticationMethod.PrivateKeyJwt => "Private key JWT",
        ClientAuthenticationMethod.WorkloadIdentity => "Workload identity",
        _ => "Client secret",
    };
}
