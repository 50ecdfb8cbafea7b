namespace PartnerGate.Domain.Common;

/// <summary>
/// Who is acting, as the domain rules need to know it: their id, their partner (null for
/// manufacturer staff) and their roles.
/// </summary>
public sealed record Actor(Guid UserId, string DisplayName, Guid? PartnerId, IReadOnlySet<string> Roles)
{
    public bool IsManufacturerStaff => PartnerId is null;

    public bool IsInRole(string role) => Roles.Contains(role);
}
