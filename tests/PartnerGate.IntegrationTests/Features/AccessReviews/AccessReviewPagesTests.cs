using System.Net;
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
}
