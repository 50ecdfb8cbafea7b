namespace PartnerGate.Domain.Common;

/// <summary>
/// The four roles. Administrator and Approver are manufacturer staff (no partner); PartnerAdmin and
/// PartnerUser always belong to exactly one partner.
/// </summary>
public static class Roles
{
    public const string Administrator = "Administrator";
    public const string Approver = "Approver";
    public const string PartnerAdmin = "PartnerAdmin";
    public const string PartnerUser = "PartnerUser";

    public static IReadOnlyList<string> All { get; } = [Administrator, Approver, PartnerAdmin, PartnerUser];

    public static bool IsManufacturerRole(string role) => role is Administrator or Approver;
}
