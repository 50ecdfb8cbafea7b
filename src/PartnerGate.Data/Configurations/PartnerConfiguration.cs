using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PartnerGate.Domain.Partners;

namespace PartnerGate.Data.Configurations;

public sealed class PartnerConfiguration : IEntityTypeConfiguration<Partner>
{
    public void Configure(EntityTypeBuilder<Partner> builder)
    {
        builder.ToTable("Partners");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).ValueGeneratedNever();
        builder.Property(p => p.Name).HasMaxLength(200).IsRequired();
        builder.HasIndex(p => p.Name).IsUnique();
        builder.Property(p => p.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(p => p.SuspensionReason).HasMaxLength(1000);

        builder.OwnsMany(p => p.Domains, domain =>
        {
            domain.ToTable("PartnerDomains");
            domain.WithOwner().HasForeignKey("PartnerId");
            domain.Property(d => d.Name).HasMaxLength(253);
            domain.HasKey("PartnerId", nameof(PartnerDomain.Name));

            // A domain belongs to one partner only: otherwise one organisation could sign in as another's users.
            domain.HasIndex(d => d.Name).IsUnique();
        });
        builder.Navigation(p => p.Domains).UsePropertyAccessMode(PropertyAccessMode.Field);

        builder.OwnsMany(p => p.Certifications, certification =>
        {
            certification.ToTable("PartnerCertifications");
            certification.WithOwner().HasForeignKey("PartnerId");
            certification.Property(c => c.Name).HasMaxLength(100);
            certification.HasKey("PartnerId", nameof(PartnerCertification.Name));
        });
        builder.Navigation(p => p.Certifications).UsePropertyAccessMode(PropertyAccessMode.Field);

        builder.OwnsMany(p => p.CertificationNotices, notice =>
        {
            notice.ToTable("PartnerCertificationNotices");
            notice.WithOwner().HasForeignKey("PartnerId");
            notice.Property(n => n.Certification).HasMaxLength(100);
            notice.Property(n => n.Notice).HasMaxLength(20);

            // The key is the exactly-once guarantee: a second node taking the same notice fails on insert and rolls back.
            notice.HasKey("PartnerId", nameof(CertificationNotice.Certification), nameof(CertificationNotice.ValidUntil), nameof(CertificationNotice.Notice));
        });
        builder.Navigation(p => p.CertificationNotices).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}
