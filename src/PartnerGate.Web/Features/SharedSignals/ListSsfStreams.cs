using Mediator;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;

namespace PartnerGate.Web.Features.SharedSignals;

/// <summary>The calling resource server's streams (SSF 1.0 §8.1.1.2), or the one named by <see cref="StreamId"/>; never another client's.</summary>
[RequirePolicy(Policies.ApiClient)]
public sealed record ListSsfStreamsQuery(string? StreamId) : IQuery<Result<IReadOnlyList<SsfStreamView>>>;

public sealed class ListSsfStreamsHandler(IDbContextFactory<PartnerGateDbContext> contextFactory, ICurrentUser currentUser)
    : IQueryHandler<ListSsfStreamsQuery, Result<IReadOnlyList<SsfStreamView>>>
{
    public async ValueTask<Result<IReadOnlyList<SsfStreamView>>> Handle(ListSsfStreamsQuery query, CancellationToken cancellationToken)
    {
        var clientId = SsfStreamRules.ClientIdOf(currentUser);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var streams = db.SsfStreams.AsNoTracking().Where(s => s.ClientId == clientId);
        if (query.StreamId is not null)
        {
            var stream = await streams.FindOwnAsync(query.StreamId, clientId, cancellationToken);
            return stream is null ? SsfStreamRules.StreamNotFound : new[] { SsfStreamView.From(stream) };
        }

        var all = await streams.ToListAsync(cancellationToken);
        return all.OrderBy(s => s.CreatedAt).Select(SsfStreamView.From).ToList();
    }
}
