using Microsoft.AspNetCore.Identity;
using PartnerGate.Domain.Partners;

namespace PartnerGate.Data;

/// <summary>
/// A person who signs in: manufacturer staff (no partner) or a partner user (exactly one partner).
/// Lives here rather than in the domain because it is an ASP.NET Core Identity type.
/// </summary>
public sealed class PartnerGateUser : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = string.Empty;

    /// <summary>Null for manufacturer staff; set for partner users and partner admins.</summary>
    public Guid? PartnerId { get; set; }
    public Partner? Partner { get; set; }
}
