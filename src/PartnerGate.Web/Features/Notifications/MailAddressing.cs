using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;

namespace PartnerGate.Web.Features.Notifications;

/// <summary>
/// Who mail goes to and how a subject line is made safe, shared by the mail writers (<see cref="AccessMailHandler"/>,
/// <see cref="PostureMail"/>).
/// </summary>
internal static class MailAddressing
{
    /// <summary>The subject column's length in the outbox.</summary>
    public const int MaxSubjectLength = 500;

    /// <summary>Users holding <paramref name="role"/> who have an e-mail address.</summary>
    public static IQueryable<PartnerGateUser> UsersInRole(PartnerGateDbContext db, string role) =>
        from user in db.Users.AsNoTracking()
        join userRole in db.UserRoles on user.Id equals userRole.UserId
        join identityRole in db.Roles on userRole.RoleId equals identityRole.Id
        where identityRole.Name == role && user.Email != null
        select user;

    /// <summary>How a mail greets a user: the display name, or the address when there is none.</summary>
    public static string DisplayNameOf(PartnerGateUser user) => string.IsNullOrWhiteSpace(user.DisplayName) ? user.Email! : user.DisplayName;

    /// <summary>One line (names and scopes are data, and a line break would end the header) within the column's length.</summary>
    public static string Fit(string subject)
    {
        var oneLine = string.Join(' ', subject.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return oneLine.Length <= MaxSubjectLength ? oneLine : oneLine[..(MaxSubjectLength - 1)] + "…";
    }
}
