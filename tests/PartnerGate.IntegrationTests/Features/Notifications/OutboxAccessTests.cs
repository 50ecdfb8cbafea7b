using System.Net;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Notifications;

namespace PartnerGate.IntegrationTests.Features.Notifications;

/// <summary>The outbox holds mail about every partner: administrators only, whoever asks and however.</summary>
public sealed class OutboxAccessTests(SqliteApp app)
{
    [Theory]
    [InlineData("bob@boltnut.example")]
    [InlineData("alice@boltnut.example")]
    [InlineData("approver@acme.example")]
    public async Task ListOutboxMessages_NotAdministrator_IsForbidden(string email)
    {
        var result = await app.SendAsync<Result<OutboxListing>>(new ListOutboxMessagesQuery(0, 10), email);

        Assert.Equal(ErrorKind.Forbidden, result.Error!.Kind);
    }

    [Fact]
    public async Task ListOutboxMessages_Anonymous_IsForbidden()
    {
        var result = await app.SendAsync<Result<OutboxListing>>(new ListOutboxMessagesQuery(0, 10), asEmail: null);

        Assert.Equal(ErrorKind.Forbidden, result.Error!.Kind);
    }

    [Theory]
    [InlineData(-1, 10)]
    [InlineData(0, 0)]
    [InlineData(0, 1000)]
    [InlineData(int.MaxValue, 100)]
    public async Task ListOutboxMessages_PageOutOfRange_IsAValidationError(int pageIndex, int pageSize)
    {
        var result = await app.SendAsync<Result<OutboxListing>>(new ListOutboxMessagesQuery(pageIndex, pageSize), "admin@acme.example");

        Assert.Equal(ErrorKind.Validation, result.Error!.Kind);
    }

    [Fact]
    public async Task OutboxPage_PartnerUser_IsDenied()
    {
        // A user of its own: Identity refuses a sign-in whose failed-attempt reset collides with another
        // test's update of the same shared demo account.
        var client = await app.SignedInClientAsync(await app.CreateUserAsync(Roles.PartnerUser, "BoltNut Supply", "boltnut.example"));

        var response = await client.GetAsync("/admin/outbox");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/account/access-denied", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutboxPage_Administrator_Opens()
    {
        var client = await app.SignedInClientAsync("admin@acme.example");

        var page = await client.GetStringAsync("/admin/outbox");

        Assert.Contains("<title>Outbox · PartnerGate</title>", page, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"Outbox messages\"", page, StringComparison.Ordinal);
    }
}
