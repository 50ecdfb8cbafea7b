using System.Linq.Expressions;
using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Resources;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Features.Grants;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Dashboard;

/// <summary>Requests waiting between <see cref="MinHours"/> (inclusive) and <see cref="MaxHours"/> (exclusive; null: no upper end).</summary>
public sealed record PendingAgeBucket(int MinHours, int? MaxHours, int Count);

public sealed record PendingFigures(int Count, DateTimeOffset? OldestSubmittedAt, IReadOnlyList<PendingAgeBucket> Buckets);

/// <summary>The median time from submission to a person's decision over <see cref="Decided"/> requests; null when none.</summary>
public sealed record DecisionFigures(int WindowDays, int Decided, TimeSpan? Median);

public sealed record SensitivityCount(Sensitivity Sensitivity, int Count);

public sealed record PartnerCount(Guid PartnerId, string PartnerName, int Count);

/// <summary>Active grants ending in (<see cref="FromHours"/>, <see cref="ToHours"/>] hours from now.</summary>
public sealed record ExpiryBucket(int FromHours, int ToHours, int Count);

public sealed record ExpiringFigures(int WithinHours, int Count, IReadOnlyList<ExpiryBucket> Buckets);

/// <summary>Grants revoked on one UTC day.</summary>
public sealed record DayCount(DateOnly Day, int Count);

public sealed record DashboardFigures(
    DateTimeOffset At,
    PendingFigures Pending,
    DecisionFigures Decisions,
    IReadOnlyList<SensitivityCount> ActiveBySensitivity,
    IReadOnlyList<PartnerCount> ActiveByPartner,
    ExpiringFigures Expiring,
    IReadOnlyList<DayCount> RevocationsByDay)
{
    public int ActiveGrants => ActiveBySensitivity.Sum(s => s.Count);

    public int Revocations => RevocationsByDay.Sum(d => d.Count);
}

/// <summary>
/// The figures of the staff dashboard, network-wide (staff see every partner). Counting and grouping happen in
/// the database; only the decision durations of the window are read, because a median is not an aggregate that
/// SQLite, PostgreSQL and SQL Server share.
/// </summary>
[RequirePolicy(Policies.ManufacturerStaff)]
public sealed record GetDashboardQuery : IQuery<Result<DashboardFigures>>;

public sealed class GetDashboardHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, TimeProvider clock)
    : IQueryHandler<GetDashboardQuery, Result<DashboardFigures>>
{
    public const int DecisionWindowDays = 30;
    public const int ExpiringWithinHours = 24;
    public const int RevocationDays = 7;

    /// <summary>The upper ends of the expiry buckets: within 1 h, 1–4 h, 4–12 h, 12–24 h.</summary>
    public static IReadOnlyList<int> ExpiryBucketEnds { get; } = [1, 4, 12, 24];

    public async ValueTask<Result<DashboardFigures>> Handle(GetDashboardQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        return new DashboardFigures(
            now,
            await PendingAsync(db, now, cancellationToken),
            await DecisionsAsync(db, now, cancellationToken),
            await BySensitivityAsync(db, now, cancellationToken),
            await ByPartnerAsync(db, now, cancellationToken),
            await ExpiringAsync(db, now, cancellationToken),
            await RevocationsAsync(db, now, cancellationToken));
    }

    private static async Task<PendingFigures> PendingAsync(PartnerGateDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var pending = db.AccessRequests.AsNoTracking().Where(r => r.Status == AccessRequestStatus.Pending);

        // Bucket i holds ages under the i-th upper end (newest first); the last bucket has no upper end.
        var submittedAfter = PendingAge.Buckets.Where(b => b.MaxHours is not null).Select(b => now - TimeSpan.FromHours(b.MaxHours!.Value)).ToList();
        var counts = await CountPerBucketAsync(pending, r => r.SubmittedAt, submittedAfter, ExpressionType.GreaterThan, cancellationToken);
        var buckets = PendingAge.Buckets.Select((b, i) => new PendingAgeBucket(b.MinHours, b.MaxHours, counts[i])).ToList();
        var oldest = await pending.OrderBy(r => r.SubmittedAt).Select(r => (DateTimeOffset?)r.SubmittedAt).FirstOrDefaultAsync(cancellationToken);
        return new PendingFigures(buckets.Sum(b => b.Count), oldest, buckets);
    }

    private static async Task<DecisionFigures> DecisionsAsync(PartnerGateDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Decided by a person: approved or denied, not automatically. Expired and cancelled requests were never decided.
        var since = now - TimeSpan.FromDays(DecisionWindowDays);
        var spans = await db.AccessRequests.AsNoTracking()
            .Where(r => (r.Status == AccessRequestStatus.Approved || r.Status == AccessRequestStatus.Denied) && !r.AutoApproved
                && r.ClosedAt != null && r.ClosedAt > since && r.ClosedAt <= now)
            .Select(r => new { r.SubmittedAt, ClosedAt = r.ClosedAt!.Value })
            .ToListAsync(cancellationToken);
        var durations = spans.Select(s => s.ClosedAt - s.SubmittedAt).ToList();
        return new DecisionFigures(DecisionWindowDays, durations.Count, Median(durations));
    }

    /// <summary>The middle value, or the mean of the two middle values for an even count; null for none.</summary>
    public static TimeSpan? Median(IReadOnlyCollection<TimeSpan> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1
            ? sorted[middle]
            : TimeSpan.FromTicks((sorted[middle - 1].Ticks + sorted[middle].Ticks) / 2);
    }

    private static async Task<IReadOnlyList<SensitivityCount>> BySensitivityAsync(PartnerGateDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var counts = await (
                from grant in db.Grants.AsNoTracking().ActiveAt(now)
                join resource in db.Resources on grant.ResourceId equals resource.Id
                group grant by resource.Sensitivity into bySensitivity
                select new { Sensitivity = bySensitivity.Key, Count = bySensitivity.Count() })
            .ToListAsync(cancellationToken);

        // Every level appears, zero included, so the chart's bars keep their places.
        return Enum.GetValues<Sensitivity>()
            .Select(s => new SensitivityCount(s, counts.SingleOrDefault(c => c.Sensitivity == s)?.Count ?? 0))
            .ToList();
    }

    private static async Task<IReadOnlyList<PartnerCount>> ByPartnerAsync(PartnerGateDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var counts = await db.Grants.AsNoTracking().ActiveAt(now)
            .GroupBy(g => g.PartnerId)
            .Select(g => new { PartnerId = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var ids = counts.Select(c => c.PartnerId).ToList();
        var names = await db.Partners.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, cancellationToken);
        return counts
            .Select(c => new PartnerCount(c.PartnerId, names.GetValueOrDefault(c.PartnerId) ?? c.PartnerId.ToString(), c.Count))
            .OrderByDescending(c => c.Count).ThenBy(c => c.PartnerName, StringComparer.Ordinal)
            .ToList();
    }

    private static async Task<ExpiringFigures> ExpiringAsync(PartnerGateDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expiring = db.Grants.AsNoTracking().ExpiringWithin(now, TimeSpan.FromHours(ExpiringWithinHours));
        var endsBy = ExpiryBucketEnds.SkipLast(1).Select(hours => now + TimeSpan.FromHours(hours)).ToList();
        var counts = await CountPerBucketAsync(expiring, g => g.NotAfter, endsBy, ExpressionType.LessThanOrEqual, cancellationToken);
        var buckets = ExpiryBucketEnds.Select((to, i) => new ExpiryBucket(i == 0 ? 0 : ExpiryBucketEnds[i - 1], to, counts[i])).ToList();
        return new ExpiringFigures(ExpiringWithinHours, buckets.Sum(b => b.Count), buckets);
    }

    private static async Task<IReadOnlyList<DayCount>> RevocationsAsync(PartnerGateDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var start = GrantFilters.RevocationWindowStart(now, RevocationDays);
        var revoked = db.Grants.AsNoTracking().RevokedSince(start);

        // Bucket i is the i-th day counted back from today: ended at or after that day's midnight (UTC).
        var midnights = Enumerable.Range(0, RevocationDays - 1).Select(back => (DateTimeOffset?)start.AddDays(RevocationDays - 1 - back)).ToList();
        var counts = await CountPerBucketAsync(revoked, g => g.EndedAt, midnights, ExpressionType.GreaterThanOrEqual, cancellationToken);
        var firstDay = DateOnly.FromDateTime(start.UtcDateTime);
        return Enumerable.Range(0, RevocationDays)
            .Select(offset => new DayCount(firstDay.AddDays(offset), counts[RevocationDays - 1 - offset]))
            .ToList();
    }

    /// <summary>
    /// Counts rows per bucket in one grouped query: bucket i takes the rows whose value passes the comparison with
    /// <paramref name="bounds"/>[i] and no earlier bound; the rest fall into the last bucket (index bounds.Count).
    /// The bounds are instants computed here, so the database only compares stored values, which SQLite's stored
    /// ticks allow as well as PostgreSQL's timestamps.
    /// </summary>
    private static async Task<int[]> CountPerBucketAsync<TEntity, TValue>(
        IQueryable<TEntity> rows, Expression<Func<TEntity, TValue>> value, IReadOnlyList<TValue> bounds, ExpressionType comparison, CancellationToken cancellationToken)
    {
        Expression body = Expression.Constant(bounds.Count);
        for (var i = bounds.Count - 1; i >= 0; i--)
        {
            var bound = Expression.Property(Expression.Constant(new Bound<TValue>(bounds[i])), nameof(Bound<TValue>.Value));
            body = Expression.Condition(Expression.MakeBinary(comparison, value.Body, bound), Expression.Constant(i), body);
        }

        var bucketOf = Expression.Lambda<Func<TEntity, int>>(body, value.Parameters);
        var grouped = await rows.Select(bucketOf).GroupBy(bucket => bucket).Select(g => new { Bucket = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var counts = new int[bounds.Count + 1];
        foreach (var row in grouped)
        {
            counts[row.Bucket] = row.Count;
        }

        return counts;
    }

    /// <summary>A closure-like holder, so EF sends each bound as a parameter converted like the column it is compared with.</summary>
    private sealed record Bound<TValue>(TValue Value);
}
