using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using PartnerGate.Domain.AccessReviews;

namespace PartnerGate.Data.Configurations;

public sealed class AccessReviewItemConfiguration : IEntityTypeConfiguration<AccessReviewItem>
{
    public void Configure(EntityTypeBuilder<AccessReviewItem> builder)
    {
        builder.ToTable("AccessReviewItems");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.Property(i => i.PartnerName).HasMaxLength(200).IsRequired();
        builder.Property(i => i.SubjectName).HasMaxLength(300).IsRequired();
        builder.Property(i => i.ResourceName).HasMaxLength(200).IsRequired();
        builder.PrimitiveCollection(i => i.Scopes);
        builder.Property(i => i.Outcome).HasConversion<string>().HasMaxLength(20);
        builder.Property(i => i.DecidedByName).HasMaxLength(200);
        builder.Property(i => i.Comment).HasMaxLength(AccessReview.MaxCommentLength);
        builder.Property(i => i.Version).IsConcurrencyToken();

        // A grant's reviews are found from the grant (and the sweep reads pending items per review).
        builder.HasIndex(i => i.GrantId);
        builder.HasIndex(i => new { i.AccessReviewId, i.Outcome });
    }
}
