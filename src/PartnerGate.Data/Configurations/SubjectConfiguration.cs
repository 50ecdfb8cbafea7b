using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PartnerGate.Domain.AccessRequests;

namespace PartnerGate.Data.Configurations;

internal static class SubjectConfiguration
{
    /// <summary>Requests and grants store their subject the same way: two columns, kind and id.</summary>
    public static void ConfigureSubject<TOwner>(this OwnedNavigationBuilder<TOwner, AccessSubject> subject)
        where TOwner : class
    {
        subject.Property(s => s.Kind).HasColumnName("SubjectKind").HasConversion<string>().HasMaxLength(20);
        subject.Property(s => s.Id).HasColumnName("SubjectId").HasMaxLength(200);
    }
}
