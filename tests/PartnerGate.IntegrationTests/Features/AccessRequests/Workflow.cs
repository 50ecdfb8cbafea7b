using Microsoft.EntityFrameworkCore;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.AccessRequests;

namespace PartnerGate.IntegrationTests.Features.AccessRequests;

/// <summary>Short-hands for driving the access workflow through the real pipeline as demo users.</summary>
internal static class Workflow
{
    public const string Justification = "Reconcile this week's deliveries against our ERP system.";

    public static async Task<Guid> ResourceIdAsync(this PartnerGateAppFactory app, string name)
    {
        await using var db = app.CreateDbContext();
        return await db.Resources.Where(r => r.Name == name).Select(r => r.Id).SingleAsync();
    }

    /// <summary>Requests access as <paramref name="email"/>; <paramref name="multiFactorSession"/>: the session proved MFA (line-telemetry's policy requires it).</summary>
    public static async Task<Result<RequestAccessOutcome>> RequestAsync(
        this PartnerGateAppFactory app, string email, string resource, string[] scopes, TimeSpan duration,
        DateTimeOffset? startsAt = null, string justification = Justification, bool multiFactorSession = false)
    {
        var command = new RequestAccessCommand(await app.ResourceIdAsync(resource), scopes, startsAt, duration, justification, "CHG-4711");
        return multiFactorSession
            ? await app.SendWithMultiFactorSessionAsync<Result<RequestAccessOutcome>>(command, email)
            : await app.SendAsync<Result<RequestAccessOutcome>>(command, email);
    }

    /// <summary>Submits and insists it worked: for tests about what comes after.</summary>
    public static async Task<Guid> SubmittedAsync(this PartnerGateAppFactory app, string email, string resource, string scope, TimeSpan duration,
        DateTimeOffset? startsAt = null, bool multiFactorSession = false)
    {
        var result = await app.RequestAsync(email, resource, [scope], duration, startsAt, multiFactorSession: multiFactorSession);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value.RequestId;
    }

    public static Task<Result<ApprovalOutcome>> ApproveAsync(this PartnerGateAppFactory app, string email, Guid requestId, DateTimeOffset? shortenedNotAfter = null) =>
        app.SendAsync<Result<ApprovalOutcome>>(new ApproveAccessRequestCommand(requestId, "Looks fine.", shortenedNotAfter), email);

    /// <summary>A throw-away BoltNut user, so each test's requests cannot collide with another test's (duplicate checks).</summary>
    public static Task<string> NewBoltNutUserAsync(this PartnerGateAppFactory app, string role = Roles.PartnerUser) =>
        app.CreateUserAsync(role, "BoltNut Supply", "boltnut.example");
}
