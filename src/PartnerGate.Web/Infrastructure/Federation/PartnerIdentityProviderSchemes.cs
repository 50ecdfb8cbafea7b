using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using PartnerGate.Data;
using PartnerGate.Domain.Partners;

namespace PartnerGate.Web.Infrastructure.Federation;

/// <summary>What this node knows of a provider row: enough to configure its handler without a database call.</summary>
public sealed record PartnerIdentityProviderSnapshot(
    Guid Id, Guid PartnerId, string DisplayName, string Authority, string ClientId, string ProtectedClientSecret,
    IReadOnlyList<string> Scopes, bool IsEnabled, Guid Version)
{
    public string SchemeName => PartnerIdentityProvider.SchemeNameFor(Id);
}

/// <summary>
/// Keeps one OpenID Connect authentication scheme per row of <c>PartnerIdentityProviders</c>, so an
/// administrator's edit takes effect without a restart — on every node: a node checks the row's
/// <see cref="PartnerIdentityProvider.Version"/> whenever a sign-in or a callback needs the provider (another
/// node may have made the edit), and at start. Disabled providers keep their scheme, so a callback that was
/// under way is answered with a clear refusal instead of a 404; the sign-in page never starts one for them.
/// </summary>
public sealed partial class PartnerIdentityProviderSchemes(
    IAuthenticationSchemeProvider schemes,
    IOptionsMonitorCache<OpenIdConnectOptions> optionsCache,
    IdentityProviderMetadata metadata,
    IDbContextFactory<PartnerGateDbContext> contextFactory,
    ILogger<PartnerIdentityProviderSchemes> logger)
{
    private readonly ConcurrentDictionary<Guid, PartnerIdentityProviderSnapshot> known = new();
    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>The provider as last loaded (for the options); null when this node has not loaded it.</summary>
    public PartnerIdentityProviderSnapshot? Find(Guid providerId) => known.GetValueOrDefault(providerId);

    /// <summary>Brings this node's scheme for one provider up to date with its row; null when the row is gone.</summary>
    public async Task<PartnerIdentityProviderSnapshot?> EnsureCurrentAsync(Guid providerId, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.PartnerIdentityProviders.AsNoTracking().Where(p => p.Id == providerId).Select(Project).SingleOrDefaultAsync(cancellationToken);
        await ApplyAsync(providerId, row);
        return row;
    }

    /// <summary>Loads every provider and drops schemes whose rows are gone: at start-up.</summary>
    public async Task SynchronizeAllAsync(CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.PartnerIdentityProviders.AsNoTracking().Select(Project).ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            await ApplyAsync(row.Id, row);
        }

        foreach (var gone in known.Keys.Except(rows.Select(r => r.Id)).ToList())
        {
            await ApplyAsync(gone, null);
        }
    }

    private static readonly System.Linq.Expressions.Expression<Func<PartnerIdentityProvider, PartnerIdentityProviderSnapshot>> Project = p =>
        new PartnerIdentityProviderSnapshot(p.Id, p.PartnerId, p.DisplayName, p.Authority, p.ClientId, p.ProtectedClientSecret,
            p.Scopes, p.Status == IdentityProviderStatus.Enabled, p.Version);

    private async Task ApplyAsync(Guid providerId, PartnerIdentityProviderSnapshot? row)
    {
        var schemeName = PartnerIdentityProvider.SchemeNameFor(providerId);
        if (known.TryGetValue(providerId, out var current) && current.Version == row?.Version)
        {
            return;
        }

        await gate.WaitAsync();
        try
        {
            known.TryGetValue(providerId, out current);
            if (row is null)
            {
                if (current is not null)
                {
                    schemes.RemoveScheme(schemeName);
                    known.TryRemove(providerId, out _);
                    optionsCache.TryRemove(schemeName);
                    metadata.Forget(current.Authority);
                    LogRemoved(providerId);
                }

                return;
            }

            if (current is not null && current.Version == row.Version)
            {
                return;
            }

            // The snapshot first: the options are built from it the next time the handler asks for them.
            known[providerId] = row;
            optionsCache.TryRemove(schemeName);
            if (current is not null)
            {
                // An edited provider may have moved or rolled its keys: read its discovery document afresh.
                metadata.Forget(current.Authority);
            }

            if (await schemes.GetSchemeAsync(schemeName) is null)
            {
                schemes.TryAddScheme(new AuthenticationScheme(schemeName, row.DisplayName, typeof(OpenIdConnectHandler)));
            }

            LogLoaded(providerId, row.Version, row.IsEnabled);
        }
        finally
        {
            gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Partner identity provider {ProviderId} loaded (version {Version}, enabled {Enabled})")]
    private partial void LogLoaded(Guid providerId, Guid version, bool enabled);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partner identity provider {ProviderId} removed")]
    private partial void LogRemoved(Guid providerId);
}

/// <summary>Loads every provider's scheme once the database is migrated (hosted services start in order, after the migration).</summary>
internal sealed partial class PartnerIdentityProviderStartup(PartnerIdentityProviderSchemes schemes, ILogger<PartnerIdentityProviderStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await schemes.SynchronizeAllAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Not fatal: each sign-in and callback loads its provider on demand.
            LogStartupSyncFailed(exception);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loading the partner identity providers at start failed; they load on first use")]
    private partial void LogStartupSyncFailed(Exception exception);
}
