using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.AccessReviews;
using PartnerGate.Domain.Auditing;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Grants;
using PartnerGate.Domain.Notifications;
using PartnerGate.Domain.Partners;
using PartnerGate.Domain.Resources;

namespace PartnerGate.Data;

/// <summary>
/// One database for the domain, ASP.NET Core Identity, OpenIddict's stores and the Data Protection key
/// ring (so every node of a scaled-out deployment shares keys).
/// </summary>
public sealed class PartnerGateDbContext(DbContextOptions<PartnerGateDbContext> options)
    : IdentityDbContext<PartnerGateUser, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{

    public DbSet<Partner> Partners => Set<Partner>();
    public DbSet<Resource> Resources => Set<Resource>();
    public DbSet<AccessRequest> AccessRequests => Set<AccessRequest>();
    public DbSet<ApprovalDecision> ApprovalDecisions => Set<ApprovalDecision>();
    public DbSet<Grant> Grants => Set<Grant>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<AuditChainHead> AuditChainHeads => Set<AuditChainHead>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<SweepLease> SweepLeases => Set<SweepLease>();
    public DbSet<ApiClient> ApiClients => Set<ApiClient>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<GrantAuthorization> GrantAuthorizations => Set<GrantAuthorization>();
    public DbSet<PartnerIdentityProvider> PartnerIdentityProviders => Set<PartnerIdentityProvider>();
    public DbSet<ConsumedSubjectToken> ConsumedSubjectTokens => Set<ConsumedSubjectToken>();
    public DbSet<SecurityEvent> SecurityEvents => Set<SecurityEvent>();
    public DbSet<SsfStream> SsfStreams => Set<SsfStream>();
    public DbSet<AccessReview> AccessReviews => Set<AccessReview>();
    public DbSet<AccessReviewItem> AccessReviewItems => Set<AccessReviewItem>();

    /// <summary>
    /// Every SaveChanges runs in a transaction, even a single statement (EF skips it by default): on SQLite
    /// that is what lets <see cref="SqliteWriteGate"/> queue every writer — OpenIddict's token inserts
    /// included — instead of leaving some to SQLite's sleeping busy handler.
    /// </summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <inheritdoc cref="SaveChanges(bool)"/>
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PartnerGateDbContext).Assembly);

        // OpenIddict's applications, authorizations, scopes and tokens (default string keys).
        builder.UseOpenIddict();
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // TimeSpan as ticks: SQL Server's time type stops at 24 hours and SQLite stores text.
        configurationBuilder.Properties<TimeSpan>().HaveConversion<long>();
        configurationBuilder.Properties<TimeSpan?>().HaveConversion<long?>();

        if (Database.IsSqlite())
        {
            // SQLite cannot compare or order DateTimeOffset text; every timestamp here is UTC, so UTC ticks
            // sort correctly and keep full precision (EF's DateTimeOffsetToBinaryConverter drops sub-0.1 ms
            // digits, which would break the audit hashes).
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
            configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
        }
    }
}

/// <summary>Stores a UTC <see cref="DateTimeOffset"/> as its UTC ticks (SQLite only).</summary>
public sealed class UtcTicksConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, long>(
    value => value.UtcTicks,
    ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
