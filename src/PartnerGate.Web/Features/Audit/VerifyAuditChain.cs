using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Auditing;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.Audit;

/// <summary>
/// Walks the whole audit chain in sequence order and says whether it is intact or exactly where it
/// breaks (invariant 6). Streams the events, so its memory does not grow with the chain.
/// </summary>
[RequirePolicy(Policies.Administrator)]
public sealed record VerifyAuditChainQuery : IQuery<Result<AuditChainVerification>>;

public sealed class VerifyAuditChainHandler(IDbContextFactory<PartnerGateDbContext> contextFactory)
    : IQueryHandler<VerifyAuditChainQuery, Result<AuditChainVerification>>
{
    public async ValueTask<Result<AuditChainVerification>> Handle(VerifyAuditChainQuery query, CancellationToken cancellationToken)
    {
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var verifier = new AuditChainVerifier();
        await foreach (var auditEvent in db.AuditEvents.AsNoTracking().OrderBy(e => e.Sequence).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            if (!verifier.Next(auditEvent))
            {
                break;
            }
        }

        return verifier.Result();
    }
}
