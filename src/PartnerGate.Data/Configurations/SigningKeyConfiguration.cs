using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PartnerGate.Data.Configurations;

public sealed class SigningKeyConfiguration : IEntityTypeConfiguration<SigningKey>
{
    public void Configure(EntityTypeBuilder<SigningKey> builder)
    {
        builder.ToTable("SigningKeys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).ValueGeneratedNever();
        builder.Property(k => k.KeyId).HasMaxLength(100);
        builder.HasIndex(k => k.KeyId).IsUnique();
        builder.Property(k => k.Algorithm).HasMaxLength(20);
        builder.Property(k => k.Use).HasMaxLength(10);
        builder.Property(k => k.ProtectedPrivateKey).HasMaxLength(20000);
    }
}
