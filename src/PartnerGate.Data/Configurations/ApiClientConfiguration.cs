using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Partners;

namespace PartnerGate.Data.Configurations;

public sealed class ApiClientConfiguration : IEntityTypeConfiguration<ApiClient>
{
    public void Configure(EntityTypeBuilder<ApiClient> builder)
    {
        builder.ToTable("ApiClients");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.ClientId).HasMaxLength(ApiClient.MaximumClientIdLength);
        builder.HasIndex(c => c.ClientId).IsUnique();
        builder.Property(c => c.DisplayName).HasMaxLength(200);
        builder.HasOne<Partner>().WithMany().HasForeignKey(c => c.PartnerId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(c => new { c.PartnerId, c.Status });
        builder.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(c => c.AuthenticationMethod).HasConversion<string>().HasMaxLength(20);
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(20);
        builder.PrimitiveCollection(c => c.RedirectUris);
        builder.PrimitiveCollection(c => c.WorkloadSubjects);
        builder.Property(c => c.DisabledReason).HasMaxLength(1000);
        builder.Property(c => c.Version).IsConcurrencyToken();
    }
}
