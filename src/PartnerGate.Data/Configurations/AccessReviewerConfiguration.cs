using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PartnerGate.Domain.AccessReviews;

namespace PartnerGate.Data.Configurations;

public sealed class AccessReviewerConfiguration : IEntityTypeConfiguration<AccessReviewer>
{
    public void Configure(EntityTypeBuilder<AccessReviewer> builder)
    {
        builder.ToTable("AccessReviewReviewers");
        builder.HasKey(r => new { r.AccessReviewId, r.UserId });
        builder.Property(r => r.DisplayName).HasMaxLength(200).IsRequired();

        // "Reviews assigned to me".
        builder.HasIndex(r => r.UserId);
    }
}
