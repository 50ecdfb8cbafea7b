using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;

namespace PartnerGate.Web.Features.AccessReviews;

/// <summary>A user as the review rules see them: name, e-mail, partner (null for staff) and roles.</summary>
public sealed record DirectoryUser(Guid Id, string DisplayName, string Email, Guid? PartnerId, IReadOnlyList<string> Roles)
{
    public bool IsStaffReviewer => PartnerId is null && Roles.Any(global::PartnerGate.Domain.Common.Roles.IsManufacturerRole);

    public Actor ToActor() => new(Id, DisplayName, PartnerId, Roles.ToHashSet(StringComparer.Ordinal));
}

/// <summary>Looks up reviewers: manufacturer staff (no partner) holding the Approver or Administrator role.</summary>
public static class StaffDirectory
{
    /// <summary>
    /// The users named by <paramref name="userIds"/> with their roles, whoever they are: a partner user named as a
    /// reviewer comes back as such, so the domain rule — not this query — refuses them with a clear message.
    /// </summary>
    public static Task<List<DirectoryUser>> UsersAsync(PartnerGateDbContext db, IReadOnlyCollection<Guid> userIds, CancellationToken cancellationToken) =>
        LoadAsync(db, db.Users.AsNoTracking().Where(u => userIds.Contains(u.Id)), cancellationToken);

    /// <summary>Everyone who may be chosen as a reviewer.</summary>
    public static async Task<List<DirectoryUser>> ReviewersAsync(PartnerGateDbContext db, CancellationToken cancellationToken) =>
        (await LoadAsync(db, db.Users.AsNoTracking().Where(u => u.PartnerId == null), cancellationToken)).Where(u => u.IsStaffReviewer).ToList();

    private static async Task<List<DirectoryUser>> LoadAsync(PartnerGateDbContext db, IQueryable<PartnerGateUser> users, CancellationToken cancellationToken)
    {
        var rows = await (
            from user in users
            join userRole in db.UserRoles on user.Id equals userRole.UserId
            join role in db.Roles on userRole.RoleId equals role.Id
            select new { user.Id, user.DisplayName, user.Email, user.PartnerId, Role = role.Name })
            .ToListAsync(cancellationToken);
        return rows
            .GroupBy(r => r.Id)
            .Select(g =>
            {
                var first = g.First();
                var email = first.Email ?? string.Empty;
                return new DirectoryUser(g.Key, string.IsNullOrWhiteSpace(first.DisplayName) ? email : first.DisplayName, email, first.PartnerId,
                    g.Select(r => r.Role ?? string.Empty).Where(r => r.Length > 0).Order(StringComparer.Ordinal).ToList());
            })
            .OrderBy(u => u.DisplayName, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }
}
