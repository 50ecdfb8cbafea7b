using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Partners;
using PartnerGate.Domain.Resources;

namespace PartnerGate.Data.Configurations;

public sealed class AccessRequestConfiguration : IEntityTypeConfiguration<AccessRequest>
{
    public void Configure(EntityTypeBuilder<AccessRequest> builder)
    {
        builder.ToTable("AccessRequests");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.HasOne<Partner>().WithMany().HasForeignKey(r => r.PartnerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Resource>().WithMany().HasForeignKey(r => r.ResourceId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<PartnerGateUser>().WithMany().HasForeignKey(r => r.RequestedByUserId).OnDelete(DeleteBehavior.Restrict);
        builder.OwnsOne(r => r.Subject, subject => subject.ConfigureSubject());
        builder.Navigation(r => r.Subject).IsRequired();
        builder.PrimitiveCollection(r => r.Scopes);
        builder.Property(r => r.Justification).HasMaxLength(2000).IsRequired();
        builder.Property(r => r.TicketReference).HasMaxLength(100);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.Version).IsConcurrencyToken();
        builder.Property(r => r.AwaitingRole).HasMaxLength(50);

        builder.HasMany(r => r.Decisions).WithOne().HasForeignKey(d => d.AccessRequestId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(r => r.Decisions).UsePropertyAccessMode(PropertyAccessMode.Field);

        // The approval inbox reads the requests waiting for a group, oldest first; the sweep reads pending by deadline.
        builder.HasIndex(r => new { r.AwaitingRole, r.SubmittedAt });
        builder.HasIndex(r => new { r.Status, r.DecideBy });
        builder.HasIndex(r => new { r.PartnerId, r.Status });
        builder.HasIndex(r => new { r.RequestedByUserId, r.Status });
    }
}
