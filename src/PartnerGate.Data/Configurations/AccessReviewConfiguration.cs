using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PartnerGate.Domain.AccessReviews;

namespace PartnerGate.Data.Configurations;

public sealed class AccessReviewConfiguration : IEntityTypeConfiguration<AccessReview>
{
    public void Configure(EntityTypeBuilder<AccessReview> builder)
    {
        builder.ToTable("AccessReviews");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.TargetName).HasMaxLength(200).IsRequired();
        builder.Property(r => r.StartedByName).HasMaxLength(200).IsRequired();
        builder.Property(r => r.Version).IsConcurrencyToken();

        builder.HasMany(r => r.Items).WithOne().HasForeignKey(i => i.AccessReviewId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(r => r.Items).UsePropertyAccessMode(PropertyAccessMode.Field);
        builder.HasMany(r => r.Reviewers).WithOne().HasForeignKey(r => r.AccessReviewId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(r => r.Reviewers).UsePropertyAccessMode(PropertyAccessMode.Field);

        // The sweep reads open reviews by deadline; the list reads them newest first.
        builder.HasIndex(r => new { r.Status, r.Deadline });
        builder.HasIndex(r => r.StartedAt);
    }
}
