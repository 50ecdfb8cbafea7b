using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PartnerGate.Domain.Resources;

namespace PartnerGate.Data.Configurations;

public sealed class ResourceConfiguration : IEntityTypeConfiguration<Resource>
{
    public void Configure(EntityTypeBuilder<Resource> builder)
    {
        builder.ToTable("Resources");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.Name).HasMaxLength(100).IsRequired();
        builder.HasIndex(r => r.Name).IsUnique();
        builder.Property(r => r.DisplayName).HasMaxLength(200).IsRequired();
        builder.Property(r => r.Description).HasMaxLength(2000);
        builder.Property(r => r.Audience).HasMaxLength(400).IsRequired();
        builder.HasIndex(r => r.Audience).IsUnique();
        builder.Property(r => r.Sensitivity).HasConversion<string>().HasMaxLength(20);

        builder.OwnsMany(r => r.Scopes, scope =>
        {
            scope.ToTable("ResourceScopes");
            scope.WithOwner().HasForeignKey("ResourceId");
            scope.Property(s => s.Name).HasMaxLength(100);
            scope.Property(s => s.Description).HasMaxLength(500);
            scope.HasKey("ResourceId", nameof(ResourceScope.Name));
        });
        builder.Navigation(r => r.Scopes).UsePropertyAccessMode(PropertyAccessMode.Field);

        builder.OwnsOne(r => r.Policy, policy =>
        {
            policy.Property(p => p.MaxDuration).HasColumnName("PolicyMaxDuration");
            policy.Property(p => p.AutoApproveUpTo).HasColumnName("PolicyAutoApproveUpTo");
            policy.Property(p => p.RequireMfa).HasColumnName("PolicyRequireMfa");
            policy.Property(p => p.DecisionWindow).HasColumnName("PolicyDecisionWindow");
            policy.Property(p => p.TokenLifetime).HasColumnName("PolicyTokenLifetime");
            policy.PrimitiveCollection(p => p.RequiredCertifications).HasColumnName("PolicyRequiredCertifications");
            policy.OwnsMany(p => p.Stages, stage =>
            {
                stage.ToTable("ResourceApprovalStages");
                stage.WithOwner().HasForeignKey("ResourceId");
                stage.HasKey("ResourceId", nameof(ApprovalStage.Order));
                stage.Property(s => s.ApproverRole).HasMaxLength(50);
            });
        });
        builder.Navigation(r => r.Policy).IsRequired();
    }
}
