using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PartnerGate.Domain.AccessRequests;

namespace PartnerGate.Data.Configurations;

public sealed class ApprovalDecisionConfiguration : IEntityTypeConfiguration<ApprovalDecision>
{
    public void Configure(EntityTypeBuilder<ApprovalDecision> builder)
    {
        builder.ToTable("ApprovalDecisions");
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Id).ValueGeneratedNever();
        builder.Property(d => d.ApproverName).HasMaxLength(200);
        builder.Property(d => d.Outcome).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.Comment).HasMaxLength(2000);
        builder.HasOne<PartnerGateUser>().WithMany().HasForeignKey(d => d.ApproverId).OnDelete(DeleteBehavior.Restrict);

        // Invariant 3 at the database too: one person, one decision per request.
        builder.HasIndex(d => new { d.AccessRequestId, d.ApproverId }).IsUnique();
    }
}
