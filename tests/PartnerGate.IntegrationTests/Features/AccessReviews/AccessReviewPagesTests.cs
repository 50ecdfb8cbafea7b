using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.IntegrationTests.Features.Connect;
using PartnerGate.IntegrationTests.Features.KillSwitches;
using PartnerGate.IntegrationTests.Infrastructure;

namespace PartnerGate.IntegrationTests.Features.AccessReviews;

/// <summary>Invariant 4 at the page level: partner users and partner admins never reach the access review pages.</summary>
public sealed class AccessReviewPagesTests(SqliteApp app)
{
    [Theory]
    [InlineData("bob@boltnut.example", "/access-reviews")]
    [InlineData("alice@boltnut.example", "/access-reviews")]
    [InlineData("bob@boltnut.example", "/access-reviews/0b0e0000-0000-4000-8000-000000000001")]
    public async Task ReviewPages_PartnerMember_IsDenied(string email, string path)
    {
        var client = await app.SignedInClientAsync(email);

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/access-denied", HttpSignIn.SameOriginPath(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("approver@acme.example")]
    [InlineData("admin@acme.example")]
    public async Task ReviewsPage_Staff_Renders(string email)
    {
        var client = await app.SignedInClientAsync(email);

        var page = await client.GetStringAsync("/access-reviews");

        Assert.Contains("Access reviews", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReviewPage_ShowsTheReviewToItsReviewerAndAdministrators_NotToOtherStaff()
    {
        var partner = await app.NewTestPartnerAsync();
        await app.NewClientAsync(partner);
        var reviewerId = await app.UserIdAsync("approver@acme.example");
        var now = app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var reviewId = (await app.StartReviewAsync(partner.Id, now.AddDays(7), [reviewerId])).Value;
        var path = $"/access-reviews/{reviewId}";

        var asReviewer = await (await app.SignedInClientAsync("approver@acme.example")).GetStringAsync(path);
        var asAdministrator = await (await app.SignedInClientAsync("admin@acme.example")).GetStringAsync(path);
        var asOtherApprover = await (await app.SignedInClientAsync("approver2@acme.example")).GetStringAsync(path);

        Assert.Contains(partner.Name, asReviewer, StringComparison.Ordinal);
        Assert.Contains("0 of 1", asReviewer, StringComparison.Ordinal);
        Assert.DoesNotContain("only its reviewers decide", asReviewer, StringComparison.Ordinal);
        Assert.Contains(partner.Name, asAdministrator, StringComparison.Ordinal);
        Assert.Contains("only its reviewers decide", asAdministrator, StringComparison.Ordinal);
        Assert.DoesNotContain(partner.Name, asOtherApprover, StringComparison.Ordinal);
        Assert.Contains("That access review does not exist.", asOtherApprover, StringComparison.Ordinal);
    }
}
