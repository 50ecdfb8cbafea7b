using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Partners;
using PartnerGate.Domain.Resources;

namespace PartnerGate.Data.Configurations;

public sealed class GrantConfiguration : IEntityTypeConfiguration<Grant>
{
    public void Configure(EntityTypeBuilder<Grant> builder)
    {
        builder.ToTable("Grants");
        builder.HasKey(g => g.Id);
        builder.Property(g => g.Id).ValueGeneratedNever();
        builder.HasOne<AccessRequest>().WithOne().HasForeignKey<Grant>(g => g.AccessRequestId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Partner>().WithMany().HasForeignKey(g => g.PartnerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Resource>().WithMany().HasForeignKey(g => g.ResourceId).OnDelete(DeleteBehavior.Restrict);
        builder.OwnsOne(g => g.Subject, subject =>
        {
            subject.ConfigureSubject();

            // Token issuance looks up a subject's grants on every request.
            subject.HasIndex(s => new { s.Kind, s.Id });
        });
        builder.Navigation(g => g.Subject).IsRequired();
        builder.PrimitiveCollection(g => g.Scopes);
        builder.Property(g => g.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(g => g.StatusReason).HasMaxLength(1000);
        builder.Property(g => g.Version).IsConcurrencyToken();

        // The expiry sweep reads by status and end; partners read their own.
        builder.HasIndex(g => new { g.Status, g.NotAfter });
        builder.HasIndex(g => new { g.PartnerId, g.Status });
    }
}
