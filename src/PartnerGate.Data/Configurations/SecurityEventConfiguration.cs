using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PartnerGate.Data.Configurations;

public sealed class SecurityEventConfiguration : IEntityTypeConfiguration<SecurityEvent>
{
    public void Configure(EntityTypeBuilder<SecurityEvent> builder)
    {
        builder.ToTable("SecurityEvents");
        builder.HasKey(e => e.Sequence);
        // Assigned at commit under the audit chain's lock, never by the database.
        builder.Property(e => e.Sequence).ValueGeneratedNever();
        builder.HasIndex(e => e.Id).IsUnique();
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(40);
        builder.Property(e => e.SubjectId).HasMaxLength(200);
        builder.Property(e => e.Reason).HasMaxLength(1000);
        builder.Property(e => e.InitiatingEntity).HasMaxLength(20);
        builder.HasIndex(e => e.OccurredAt);
    }
}
