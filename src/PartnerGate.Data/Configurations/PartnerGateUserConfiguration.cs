using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PartnerGate.Data.Configurations;

public sealed class PartnerGateUserConfiguration : IEntityTypeConfiguration<PartnerGateUser>
{
    public void Configure(EntityTypeBuilder<PartnerGateUser> builder)
    {
        builder.Property(u => u.DisplayName).HasMaxLength(200);
        builder.HasOne(u => u.Partner).WithMany().HasForeignKey(u => u.PartnerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(u => u.PartnerId);
    }
}
