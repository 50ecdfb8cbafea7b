using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PartnerGate.Domain.Partners;

namespace PartnerGate.Data.Configurations;

public sealed class PartnerIdentityProviderConfiguration : IEntityTypeConfiguration<PartnerIdentityProvider>
{
    public void Configure(EntityTypeBuilder<PartnerIdentityProvider> builder)
    {
        builder.ToTable("PartnerIdentityProviders");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).ValueGeneratedNever();

        // One provider per partner: home-realm discovery must never have two answers for a domain.
        builder.HasOne<Partner>().WithMany().HasForeignKey(p => p.PartnerId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(p => p.PartnerId).IsUnique();
        builder.Property(p => p.DisplayName).HasMaxLength(100);
        builder.Property(p => p.Authority).HasMaxLength(500);
        builder.Property(p => p.ClientId).HasMaxLength(200);
        builder.Property(p => p.ProtectedClientSecret).HasMaxLength(4000);
        builder.PrimitiveCollection(p => p.Scopes);
        builder.OwnsOne(p => p.ClaimMapping, mapping =>
        {
            mapping.Property(m => m.EmailClaim).HasColumnName("EmailClaim").HasMaxLength(100);
            mapping.Property(m => m.NameClaim).HasColumnName("NameClaim").HasMaxLength(100);
            mapping.Property(m => m.RoleClaim).HasColumnName("RoleClaim").HasMaxLength(100);
            mapping.Property(m => m.PartnerAdminRoleValue).HasColumnName("PartnerAdminRoleValue").HasMaxLength(200);
        });
        builder.Navigation(p => p.ClaimMapping).IsRequired();
        builder.OwnsOne(p => p.Mfa, mfa =>
        {
            mfa.Property(m => m.Required).HasColumnName("MfaRequired");
            mfa.PrimitiveCollection(m => m.AcceptedAcrValues).HasColumnName("AcceptedAcrValues");
        });
        builder.Navigation(p => p.Mfa).IsRequired();
        builder.Property(p => p.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(p => p.DisabledReason).HasMaxLength(1000);
        builder.Property(p => p.Version).IsConcurrencyToken();
    }
}
