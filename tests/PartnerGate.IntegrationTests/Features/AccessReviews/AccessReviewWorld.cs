using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PartnerGate.Data;
using PartnerGate.Domain.AccessReviews;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.AccessReviews;
using PartnerGate.Web.Features.Grants;

namespace PartnerGate.IntegrationTests.Features.AccessReviews;

/// <summary>
/// Apps of their own with a fake clock and the background sweep off: the deadline tests move time and sweep by hand,
/// which must not disturb the apps the rest of the assembly shares.
/// </summary>
public sealed class AccessReviewApps : IAsyncLifetime
{
    private PartnerGateAppFactory? postgreSql;

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public PartnerGateAppFactory Sqlite { get; private set; } = null!;

    public PartnerGateAppFactory For(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.PostgreSql)
        {
            Assert.SkipUnless(PartnerGateAppFactory.PostgresAvailable, $"PostgreSQL not configured ({PartnerGateAppFactory.PostgresVariable}).");
            return postgreSql!;
        }

        return Sqlite;
    }

    private PartnerGateAppFactory Create(DatabaseProvider provider) => new(provider,
        extraSettings: new Dictionary<string, string?> { ["Sweep:Enabled"] = "false", ["Mail:BackgroundDispatch"] = "false" },
        configureServices: services => services.AddSingleton<TimeProvider>(Clock));

    public async ValueTask InitializeAsync()
    {
        Sqlite = Create(DatabaseProvider.Sqlite);
        await Sqlite.InitializeAsync();
        if (PartnerGateAppFactory.PostgresAvailable)
        {
            postgreSql = Create(DatabaseProvider.PostgreSql);
            await postgreSql.InitializeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Sqlite.DisposeAsync();
        if (postgreSql is not null)
        {
            await postgreSql.DisposeAsync();
        }
    }
}

public static class AccessReviewWorld
{
    public const string Administrator = "admin@acme.example";

    public static Task<Result<Guid>> StartReviewAsync(
        this PartnerGateAppFactory app, Guid partnerId, DateTimeOffset deadline, IReadOnlyList<Guid> reviewerIds, string asEmail = Administrator) =>
        app.SendAsync<Result<Guid>>(new StartAccessReviewCommand(AccessReviewKind.Partner, partnerId, deadline, reviewerIds), asEmail);

    public static Task<Result> DecideAsync(this PartnerGateAppFactory app, Guid reviewId, Guid itemId, ReviewVerdict verdict, string comment, string asEmail) =>
        app.SendAsync<Result>(new DecideAccessReviewItemCommand(reviewId, itemId, verdict, comment), asEmail);

    public static async Task<AccessReview> ReviewAsync(this PartnerGateAppFactory app, Guid reviewId)
    {
        await using var db = app.CreateDbContext();
        return await db.AccessReviews.AsNoTracking().Include(r => r.Items).Include(r => r.Reviewers).AsSplitQuery().SingleAsync(r => r.Id == reviewId);
    }

    public static async Task<Guid> ItemOfAsync(this PartnerGateAppFactory app, Guid reviewId, Guid grantId) =>
        (await app.ReviewAsync(reviewId)).Items.Single(i => i.GrantId == grantId).Id;

    /// <summary>A new approver (manufacturer staff) of its own, as e-mail and id.</summary>
    public static async Task<(string Email, Guid Id)> NewApproverAsync(this PartnerGateAppFactory app, string role = Roles.Approver)
    {
        var email = await app.CreateUserAsync(role);
        await using var db = app.CreateDbContext();
        return (email, (await db.Users.SingleAsync(u => u.Email == email)).Id);
    }

    public static async Task<List<string>> AuditActionsAsync(this PartnerGateAppFactory app, string targetId)
    {
        await using var db = app.CreateDbContext();
        return await db.AuditEvents.Where(e => e.TargetId == targetId).OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync();
    }

    public static Task<bool> SweepAsync(this PartnerGateAppFactory app) =>
        app.Services.GetRequiredService<AccessSweepService>().SweepOnceAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
}
