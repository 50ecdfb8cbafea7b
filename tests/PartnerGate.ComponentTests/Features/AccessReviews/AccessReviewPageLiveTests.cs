using Bunit;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Domain.AccessReviews;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Features.AccessReviews;
using PartnerGate.Web.Infrastructure.Live;

namespace PartnerGate.ComponentTests.Features.AccessReviews;

/// <summary>
/// The review page and the list follow a review live: a review update naming the shown review (a decision elsewhere,
/// the deadline sweep completing it) makes them read it again and show its new status without a reload; updates about
/// other reviews leave them alone.
/// </summary>
public sealed class AccessReviewPageLiveTests : MudComponentTest
{
    private static readonly DateTimeOffset Started = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private readonly Guid reviewId = Guid.NewGuid();
    private readonly ReviewsMediator mediator = new();
    private readonly LiveUpdateHub hub = new();

    public AccessReviewPageLiveTests()
    {
        SignInAs(Roles.Administrator);
        Services.AddSingleton<IMediator>(mediator);
        Services.AddSingleton(hub);
        mediator.Review = Review(AccessReviewStatus.Open, ReviewItemOutcome.Pending);
    }

    private AccessReviewDetails Review(AccessReviewStatus status, ReviewItemOutcome outcome)
    {
        var settled = outcome == ReviewItemOutcome.Pending ? 0 : 1;
        var item = new AccessReviewItemView(Guid.NewGuid(), Guid.NewGuid(), "Sweep Test Partner", "API client Sweep (e2e-sweep)", "Purchase orders", ["orders.read"],
            Started.AddDays(20), outcome, false, null, null, outcome == ReviewItemOutcome.Pending ? null : Started.AddDays(7));
        return new AccessReviewDetails(reviewId, AccessReviewKind.Partner, "Sweep Test Partner", status, Started, "Ada Admin", Started.AddDays(7),
            status == AccessReviewStatus.Completed ? Started.AddDays(7) : null, ["Arne Approver"], status == AccessReviewStatus.Open,
            new AccessReviewProgress(settled, 1, 0, 0, settled, 0), [item]);
    }

    [Fact]
    public void ReviewPage_SweepCompletesTheReview_PageShowsCompletedAndTheAutoRevocation_WithoutAReload()
    {
        var page = Render<AccessReviewPage>(p => p.Add(c => c.ReviewId, reviewId));
        page.WaitForAssertion(() => Assert.Equal("Open", page.Find("[data-testid=review-status]").TextContent.Trim()));
        Assert.Contains("0 of 1", page.Find("[data-testid=review-progress]").TextContent, StringComparison.Ordinal);
        Assert.NotEmpty(page.FindAll("button[aria-label^='Revoke the grant']"));

        mediator.Review = Review(AccessReviewStatus.Completed, ReviewItemOutcome.AutoRevoked);
        hub.Publish(new LiveUpdate(LiveUpdateKind.AccessReviewChanged, Guid.Empty, ReviewId: reviewId));

        page.WaitForAssertion(() => Assert.Equal("Completed", page.Find("[data-testid=review-status]").TextContent.Trim()));
        Assert.Contains("1 of 1", page.Find("[data-testid=review-progress]").TextContent, StringComparison.Ordinal);
        Assert.Contains("1 revoked at the deadline", page.Markup, StringComparison.Ordinal);
        Assert.Equal("Revoked at the deadline", page.Find("[data-testid=item-decision]").TextContent.Trim());
        Assert.Empty(page.FindAll("button[aria-label^='Revoke the grant']"));
    }

    [Fact]
    public void ReviewPage_UpdateAboutAnotherReview_DoesNotReadAgain()
    {
        var page = Render<AccessReviewPage>(p => p.Add(c => c.ReviewId, reviewId));
        page.WaitForAssertion(() => Assert.Equal(1, mediator.ReviewReads));

        hub.Publish(new LiveUpdate(LiveUpdateKind.AccessReviewChanged, Guid.Empty, ReviewId: Guid.NewGuid()));
        hub.Publish(new LiveUpdate(LiveUpdateKind.GrantChanged, Guid.NewGuid(), GrantId: Guid.NewGuid()));
        // A third update that is this review's: once it has been read, the two before it were surely handled too.
        hub.Publish(new LiveUpdate(LiveUpdateKind.AccessReviewChanged, Guid.Empty, ReviewId: reviewId));

        page.WaitForAssertion(() => Assert.Equal(2, mediator.ReviewReads));
    }

    [Fact]
    public void ListPage_SweepCompletesAReview_ListShowsItCompleted_WithoutAReload()
    {
        var list = Render<AccessReviewsPage>();
        list.WaitForAssertion(() => Assert.Equal("Open", list.Find("[data-testid=review-status]").TextContent.Trim()));

        mediator.Review = Review(AccessReviewStatus.Completed, ReviewItemOutcome.AutoRevoked);
        hub.Publish(new LiveUpdate(LiveUpdateKind.AccessReviewChanged, Guid.Empty, ReviewId: reviewId));

        list.WaitForAssertion(() => Assert.Equal("Completed", list.Find("[data-testid=review-status]").TextContent.Trim()));
        Assert.Contains("1 of 1", list.Find("[data-testid=review-progress]").TextContent, StringComparison.Ordinal);
    }

    /// <summary>Answers the two review queries from <see cref="Review"/>; the pages send nothing else in these tests.</summary>
    private sealed class ReviewsMediator : IMediator
    {
        private int reviewReads;

        public AccessReviewDetails Review { get; set; } = null!;

        public int ReviewReads => Volatile.Read(ref reviewReads);

        public ValueTask<TResponse> Send<TResponse>(IQuery<TResponse> query, CancellationToken cancellationToken = default)
        {
            var review = Review;
            object answer = query switch
            {
                GetAccessReviewQuery => Result<AccessReviewDetails>.Success(Count(review)),
                ListAccessReviewsQuery => Result<IReadOnlyList<AccessReviewSummary>>.Success([new AccessReviewSummary(review.Id, review.Kind, review.TargetName,
                    review.Status, review.StartedAt, review.StartedByName, review.Deadline, review.Reviewers, true, review.Progress)]),
                _ => throw new NotSupportedException(query.GetType().Name),
            };
            return ValueTask.FromResult((TResponse)answer);
        }

        private AccessReviewDetails Count(AccessReviewDetails review)
        {
            Interlocked.Increment(ref reviewReads);
            return review;
        }

        public ValueTask<TResponse> Send<TResponse>(IRequest<TResponse> request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<TResponse> Send<TResponse>(ICommand<TResponse> command, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<object?> Send(object message, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<TResponse> CreateStream<TResponse>(IStreamQuery<TResponse> query, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<TResponse> CreateStream<TResponse>(IStreamRequest<TResponse> request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<TResponse> CreateStream<TResponse>(IStreamCommand<TResponse> command, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<object?> CreateStream(object message, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask Publish<TNotification>(TNotification notification, CancellationToken cancellationToken = default)
            where TNotification : INotification => throw new NotSupportedException();

        public ValueTask Publish(object notification, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}
