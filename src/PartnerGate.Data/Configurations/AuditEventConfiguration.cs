using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PartnerGate.Domain.Auditing;

namespace PartnerGate.Data.Configurations;

public sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("AuditEvents");

        // The sequence is the key: two transactions that both try to extend the chain from the same
        // tail collide on it, so the chain can never fork.
        builder.HasKey(e => e.Sequence);
        builder.Property(e => e.Sequence).ValueGeneratedNever();
        builder.HasIndex(e => e.Id).IsUnique();
        builder.Property(e => e.ActorId).HasMaxLength(200);
        builder.Property(e => e.ActorName).HasMaxLength(200);
        builder.Property(e => e.Action).HasMaxLength(100).IsRequired();
        builder.Property(e => e.TargetType).HasMaxLength(100);
        builder.Property(e => e.TargetId).HasMaxLength(200);
        builder.Property(e => e.PreviousHash).HasMaxLength(64).IsFixedLength();
        builder.Property(e => e.Hash).HasMaxLength(64).IsFixedLength();

        // For the audit viewer and its export (Features/Audit/AuditEventFilter.Apply), which order by sequence: a partner
        // admin's view is "this partner, newest first" (PartnerId + Sequence, walked backwards or forwards for the export);
        // the other filters are equality (actor id or name, action, target id or type) or a time range.
        builder.HasIndex(e => e.OccurredAt);
        builder.HasIndex(e => new { e.PartnerId, e.Sequence });
        builder.HasIndex(e => e.Action);
        builder.HasIndex(e => e.ActorId);
        builder.HasIndex(e => e.ActorName);
        builder.HasIndex(e => e.TargetId);
        builder.HasIndex(e => e.TargetType);
    }
}
