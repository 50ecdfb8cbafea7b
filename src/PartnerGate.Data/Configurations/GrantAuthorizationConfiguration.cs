using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OpenIddict.EntityFrameworkCore.Models;
using PartnerGate.Domain.Grants;

namespace PartnerGate.Data.Configurations;

public sealed class GrantAuthorizationConfiguration : IEntityTypeConfiguration<GrantAuthorization>
{
    public void Configure(EntityTypeBuilder<GrantAuthorization> builder)
    {
        builder.ToTable("GrantAuthorizations");
        builder.HasKey(l => new { l.GrantId, l.AuthorizationId });
        builder.Property(l => l.AuthorizationId).HasMaxLength(100);
        builder.HasOne<Grant>().WithMany().HasForeignKey(l => l.GrantId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<OpenIddictEntityFrameworkCoreAuthorization>().WithMany().HasForeignKey(l => l.AuthorizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(l => l.AuthorizationId);
    }
}
