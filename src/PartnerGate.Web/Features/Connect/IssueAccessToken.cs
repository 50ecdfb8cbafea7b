using System.Collections.Concurrent;
using System.Text.Json;
using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using PartnerGate.Data;
using PartnerGate.Domain.AccessRequests;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;
using static OpenIddict.Abstractions.OpenIddictConstants;
using OAuthErrors = OpenIddict.Abstractions.OpenIddictConstants.Errors;

namespace PartnerGate.Web.Features.Connect;

/// <summary>
/// The core rule of the token service (invariants 1 and 2): decides what an access token for
/// <paramref name="Subject"/>, presented by <paramref name="ClientId"/>, may carry. Every requested scope
/// (and <c>resource</c> indicator, RFC 8707) must belong to one resource and be covered by grants of that
/// subject in effect now; otherwise the whole request is refused — never a silently smaller token. The
/// token's lifetime is capped by the resource's token lifetime and the earliest covering grant's end.
/// </summary>
/// <param name="ClientId">The client OpenIddict authenticated.</param>
/// <param name="Subject">Whose grants cover the token: the client itself, or the user it acts for (code flow).</param>
/// <param name="GrantType">The OAuth grant type, for the audit trail.</param>
/// <param name="Scopes">Requested scopes; OpenID Connect scopes (<c>openid</c>, <c>profile</c>, …) are allowed beside them for users.</param>
/// <param name="Resources">RFC 8707 resource indicators; at most one, and it must be the resource of the scopes.</param>
/// <param name="ExistingAuthorizationId">
/// The authorization a redeemed code or refresh token belongs to: the new tokens stay under it, so that
/// OpenIddict's replay protection (a code used twice revokes its authorization) reaches them, and it is
/// linked to the covering grants so that revoking a grant revokes it.
/// </param>
[RequirePolicy(Policies.ApiClient)]
public sealed record IssueAccessTokenCommand(
    string ClientId,
    AccessSubject Subject,
    string GrantType,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> Resources,
    string? ExistingAuthorizationId = null) : ICommand<Result<AccessTokenDecision>>, ITokenTarget;

/// <summary>What every token request names: the scopes and resource indicators it asks for.</summary>
public interface ITokenTarget
{
    IReadOnlyList<string> Scopes { get; }
    IReadOnlyList<string> Resources { get; }
}

/// <summary>Size limits on <see cref="ITokenTarget"/>, shared by every token-issuing command's validator.</summary>
public sealed class TokenTargetValidator : AbstractValidator<ITokenTarget>
{
    public const int MaximumScopes = 20;
    public const int MaximumScopeLength = 100;

    public TokenTargetValidator()
    {
        RuleFor(c => c.Scopes).Must(s => s.Count <= MaximumScopes).WithMessage($"Ask for at most {MaximumScopes} scopes.");
        RuleForEach(c => c.Scopes).MaximumLength(MaximumScopeLength).WithMessage($"A scope name is at most {MaximumScopeLength} characters.");
        RuleFor(c => c.Resources).Must(r => r.Count <= 5).WithMessage("Ask for one resource indicator.");
        RuleForEach(c => c.Resources).MaximumLength(2000).WithMessage("A resource indicator is at most 2,000 characters.");
    }
}

public sealed class IssueAccessTokenValidator : AbstractValidator<IssueAccessTokenCommand>
{
    public IssueAccessTokenValidator() => Include(new TokenTargetValidator());
}

/// <summary>What the token will carry; the endpoint turns it into OpenIddict claims.</summary>
public sealed record AccessTokenDecision(
    string ClientId,
    string Subject,
    Guid PartnerId,
    string Audience,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<string> IdentityScopes,
    IReadOnlyList<Guid> GrantIds,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset GrantsEndAt,
    string AuthorizationId,
    bool CappedByGrant = false,
    WorkloadActor? Actor = null)
{
    /// <summary>Whole seconds from issuance to expiry, as the audit trail records it.</summary>
    public int LifetimeSeconds => (int)Math.Ceiling((ExpiresAt - IssuedAt).TotalSeconds);
}

/// <summary>
/// The workload a token-exchanged token acts for (RFC 8693 §4.1 <c>act</c>): the subject of the partner IdP's token and
/// that IdP's issuer. Resource servers see who really called, while the grants stay the client's.
/// </summary>
public sealed record WorkloadActor(string Subject, string Issuer);

/// <summary>OAuth error codes for refusals: the endpoint answers with <see cref="Error.Code"/> and <see cref="Error.Message"/>.</summary>
public static class OAuthRefusals
{
    public static Error InvalidScope(string description) => Error.PolicyRefused(OAuthErrors.InvalidScope, description);
    public static Error InvalidTarget(string description) => Error.PolicyRefused(OAuthErrors.InvalidTarget, description);
    public static Error InvalidClient(string description) => Error.Forbidden(OAuthErrors.InvalidClient, description);
    public static Error InvalidGrant(string description) => Error.PolicyRefused(OAuthErrors.InvalidGrant, description);
    public static Error UnauthorizedClient(string description) => Error.Forbidden(OAuthErrors.UnauthorizedClient, description);
}

public sealed class IssueAccessTokenHandler(IUnitOfWork unitOfWork, TimeProvider clock, GrantAuthorizationCache authorizations, ResourceCatalog resourceCatalog)
    : ICommandHandler<IssueAccessTokenCommand, Result<AccessTokenDecision>>
{
    /// <summary>OpenID Connect scopes a user-facing client may ask for beside resource scopes; they grant no API access.</summary>
    public static readonly IReadOnlySet<string> IdentityScopes = new HashSet<string>(StringComparer.Ordinal)
    {
        Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.OfflineAccess,
    };

    public async ValueTask<Result<AccessTokenDecision>> Handle(IssueAccessTokenCommand command, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        var now = clock.GetUtcNow();

        // Client and partner status in one read: both decide whether anything is issued at all.
        var found = await (from c in db.ApiClients.AsNoTracking()
                           where c.ClientId == command.ClientId
                           join p in db.Partners.AsNoTracking() on c.PartnerId equals p.Id into partners
                           from p in partners.DefaultIfEmpty()
                           select new { Client = c, PartnerStatus = (PartnerStatus?)p.Status })
            .SingleOrDefaultAsync(cancellationToken);
        var client = found?.Client;
        if (client is null || !client.IsActive || client.PartnerId is not { } partnerId)
        {
            return OAuthRefusals.InvalidClient(client is { Kind: ApiClientKind.ResourceServer }
                ? "A resource server introspects tokens; it cannot obtain them."
                : "The client is disabled or unknown.");
        }

        if (found!.PartnerStatus != PartnerStatus.Active)
        {
            return OAuthRefusals.InvalidClient("The client's organisation is suspended.");
        }

        var decided = await AccessTokenIssuance.DecideAsync(unitOfWork.Db, authorizations, resourceCatalog, client, partnerId, command.Subject,
            command.Scopes, command.Resources, command.ExistingAuthorizationId, now, cancellationToken);
        if (!decided.IsSuccess)
        {
            return decided.Error!;
        }

        var decision = decided.Value;
        unitOfWork.Audit("token.issued", "ApiClient", client.ClientId, partnerId, new
        {
            grantType = command.GrantType,
            client = client.ClientId,
            subject = command.Subject.Id,
            grants = decision.GrantIds,
            scopes = decision.Scopes,
            audience = decision.Audience,
            lifetimeSeconds = decision.LifetimeSeconds,
            expiresAt = decision.ExpiresAt,
            cappedByGrant = decision.CappedByGrant,
        });

        return decision;
    }
}
/// <summary>
/// The OpenIddict authorization that tokens for one (client, subject, set of grants) are issued under, so
/// that revoking any of those grants revokes the authorization and all its tokens (<see cref="GrantTokenRevocation"/>).
/// Created once, in the issuing command's transaction; its id is cached per node.
/// </summary>
public sealed class GrantAuthorizationCache
{
    private readonly ConcurrentDictionary<string, string> known = new(StringComparer.Ordinal);

    // Created in a transaction that has not committed yet; moved to known by Remember.
    private readonly ConcurrentDictionary<string, string> pending = new(StringComparer.Ordinal);

    public async Task<string> GetOrCreateAsync(
        PartnerGateDbContext db, ApiClient client, AccessSubject subject, IReadOnlyList<Guid> grantIds, IReadOnlyList<string> scopes,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A revoked grant never reaches this point (only grants in effect cover a token), so a cached
        // authorization id always belongs to grants that are still in effect.
        var key = $"{client.ClientId}|{subject.Kind}:{subject.Id}|{string.Join(",", grantIds)}";
        if (known.TryGetValue(key, out var cached))
        {
            return cached;
        }

        // Another node (or this one before a restart) may have created it: valid authorizations of this client
        // and subject linked to the first grant, then the one whose linked grants are exactly these.
        var first = grantIds[0];
        var candidates = await (
                from link in db.GrantAuthorizations.AsNoTracking()
                where link.GrantId == first
                join authorization in db.Set<OpenIddictEntityFrameworkCoreAuthorization>().AsNoTracking() on link.AuthorizationId equals authorization.Id
                where authorization.Status == Statuses.Valid && authorization.Subject == subject.Id && authorization.Application!.ClientId == client.ClientId
                select authorization.Id)
            .ToListAsync(cancellationToken);
        var links = await db.GrantAuthorizations.AsNoTracking().Where(l => candidates.Contains(l.AuthorizationId)).ToListAsync(cancellationToken);
        var match = links.GroupBy(l => l.AuthorizationId)
            .FirstOrDefault(g => g.Select(l => l.GrantId).Order().SequenceEqual(grantIds))?.Key;
        if (match is not null)
        {
            known[key] = match;
            return match;
        }

        var applicationId = await db.Set<OpenIddictEntityFrameworkCoreApplication>().Where(a => a.ClientId == client.ClientId)
            .Select(a => a.Id).SingleAsync(cancellationToken);
        var created = new OpenIddictEntityFrameworkCoreAuthorization
        {
            Id = Guid.NewGuid().ToString(),
            CreationDate = now.UtcDateTime,
            Status = Statuses.Valid,
            Subject = subject.Id,
            Type = AuthorizationTypes.Permanent,
            Scopes = JsonSerializer.Serialize(scopes),
            ConcurrencyToken = Guid.NewGuid().ToString(),
        };
        db.Add(created);
        db.Entry(created).Property("ApplicationId").CurrentValue = applicationId;
        foreach (var grantId in grantIds)
        {
            db.GrantAuthorizations.Add(new GrantAuthorization { GrantId = grantId, AuthorizationId = created.Id });
        }

        // Cached only once committed: the endpoint calls Remember after the command succeeded.
        pending[created.Id] = key;
        return created.Id;
    }

    /// <summary>Links an existing authorization (of a code or refresh token) to the grants that now cover its tokens.</summary>
    public async Task<string> LinkAsync(PartnerGateDbContext db, string authorizationId, IReadOnlyList<Guid> grantIds, CancellationToken cancellationToken)
    {
        var linked = await db.GrantAuthorizations.AsNoTracking().Where(l => l.AuthorizationId == authorizationId).Select(l => l.GrantId)
            .ToListAsync(cancellationToken);
        foreach (var grantId in grantIds.Except(linked))
        {
            db.GrantAuthorizations.Add(new GrantAuthorization { GrantId = grantId, AuthorizationId = authorizationId });
        }

        return authorizationId;
    }

    /// <summary>Called after the issuing transaction committed: the new authorization may now be reused.</summary>
    public void Remember(string authorizationId)
    {
        if (pending.TryRemove(authorizationId, out var key))
        {
            known[key] = authorizationId;
        }
    }
}

/// <summary>
/// The resources with their scopes and policies, read at most every <see cref="Lifetime"/>: every token
/// request needs them, and they change only when an administrator redefines a resource. A policy change
/// (say, a shorter token lifetime) reaches new tokens within that time; grants are always read live.
/// </summary>
public sealed class ResourceCatalog(IDbContextFactory<PartnerGateDbContext> contextFactory, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim refresh = new(1, 1);
    private (IReadOnlyList<Domain.Resources.Resource> Resources, DateTimeOffset ReadAt)? current;

    public async Task<IReadOnlyList<Domain.Resources.Resource>> GetAsync(CancellationToken cancellationToken)
    {
        var snapshot = current;
        if (snapshot is { } fresh && clock.GetUtcNow() - fresh.ReadAt < Lifetime)
        {
            return fresh.Resources;
        }

        await refresh.WaitAsync(cancellationToken);
        try
        {
            if (current is { } other && clock.GetUtcNow() - other.ReadAt < Lifetime)
            {
                return other.Resources;
            }

            await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
            var resources = await db.Resources.AsNoTracking().ToListAsync(cancellationToken);
            current = (resources, clock.GetUtcNow());
            return resources;
        }
        finally
        {
            refresh.Release();
        }
    }
}
