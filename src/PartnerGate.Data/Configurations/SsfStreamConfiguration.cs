using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PartnerGate.Data.Configurations;

public sealed class SsfStreamConfiguration : IEntityTypeConfiguration<SsfStream>
{
    public void Configure(EntityTypeBuilder<SsfStream> builder)
    {
        builder.ToTable("SsfStreams");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasMaxLength(64);
        builder.Property(s => s.ClientId).HasMaxLength(100);
        builder.HasIndex(s => s.ClientId);
        builder.Property(s => s.Audience).HasMaxLength(500);
        builder.Property(s => s.Description).HasMaxLength(500);
        builder.Property(s => s.DeliveryMethod).HasMaxLength(200);
        builder.Property(s => s.EndpointUrl).HasMaxLength(2000);
        builder.Property(s => s.ProtectedAuthorizationHeader).HasMaxLength(4000);
        builder.Property(s => s.EventsRequested).HasMaxLength(2000);
        builder.Property(s => s.Status).HasMaxLength(20);
        builder.Property(s => s.StatusReason).HasMaxLength(500);
        builder.Property(s => s.LastDeliveryError).HasMaxLength(1000);
        builder.Property(s => s.Version).IsConcurrencyToken();
    }
}
