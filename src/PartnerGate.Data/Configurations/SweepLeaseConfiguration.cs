using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace PartnerGate.Data.Configurations;

public sealed class SweepLeaseConfiguration : IEntityTypeConfiguration<SweepLease>
{
    public const string AccessSweep = "access-sweep";
    public const string OutboxDispatch = "outbox-dispatch";
    public const string SsfPushDelivery = "ssf-push-delivery";

    public void Configure(EntityTypeBuilder<SweepLease> builder)
    {
        builder.ToTable("SweepLeases");
        builder.HasKey(l => l.Name);
        builder.Property(l => l.Name).HasMaxLength(100);
        builder.Property(l => l.Holder).HasMaxLength(200);
        builder.HasData(
            new SweepLease { Name = AccessSweep, ExpiresAt = DateTimeOffset.UnixEpoch },
            new SweepLease { Name = OutboxDispatch, ExpiresAt = DateTimeOffset.UnixEpoch },
            new SweepLease { Name = SsfPushDelivery, ExpiresAt = DateTimeOffset.UnixEpoch });
    }
}
