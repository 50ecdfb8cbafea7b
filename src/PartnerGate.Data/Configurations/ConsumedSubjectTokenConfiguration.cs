using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PartnerGate.Data.Configurations;

public sealed class ConsumedSubjectTokenConfiguration : IEntityTypeConfiguration<ConsumedSubjectToken>
{
    public void Configure(EntityTypeBuilder<ConsumedSubjectToken> builder)
    {
        builder.ToTable("ConsumedSubjectTokens");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).HasMaxLength(64).IsUnicode(false);
        builder.HasIndex(t => t.ExpiresAt);
    }
}
