using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Mediator;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PartnerGate.Data;
using PartnerGate.Domain.Common;
using PartnerGate.EndToEndTests.Infrastructure;
using PartnerGate.EndToEndTests.Pages;
using PartnerGate.Web.Features.AccessRequests;
using PartnerGate.Web.Infrastructure.Security;
using static Microsoft.Playwright.Assertions;

namespace PartnerGate.EndToEndTests.Features.Connect;

/// <summary>A partner web app signs bob in through PartnerGate in Chromium: sign-in, consent, back to the app with a code.</summary>
public sealed class AuthorizationCodeFlowTests(PortalFixture portal)
{
    private const string Callback = "http://localhost:7070/callback";

    [Fact]
    public async Task Bob_SignsInThroughTheWebApp_Consents_AndTheBrowserLandsOnTheCallbackWithACode()
    {
        await GiveBobAnOrdersGrantAsync();
        var page = await portal.NewPageAsync();
        // Nothing listens on the app's port: the "app" is this route, which shows what it received.
        await page.RouteAsync("http://localhost:7070/**", route => route.FulfillAsync(new()
        {
            Status = 200,
            ContentType = "text/html",
            Body = "<!DOCTYPE html><title>BoltNut supplier portal</title><h1>Signed in to the BoltNut supplier portal</h1>",
        }));
        var verifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var state = Guid.NewGuid().ToString("N");
        var authorize = QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = "boltnut-web",
            ["redirect_uri"] = Callback,
            ["response_type"] = "code",
            ["scope"] = "openid profile orders.read offline_access",
            ["state"] = state,
            ["nonce"] = Guid.NewGuid().ToString("N"),
            ["code_challenge"] = WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
        });

        await page.GotoAsync(authorize);
        await Expect(page).ToHaveURLAsync(new Regex("/account/signin\\?ReturnUrl="));
        await new SignInPage(page).SignInAsync("bob@boltnut.example", PortalFixture.DemoPassword);

        var consent = new ConsentPage(page);
        await Expect(consent.Heading).ToHaveTextAsync("Allow BoltNut supplier portal to act for you?");
        await Expect(consent.Client).ToContainTextAsync("An application of BoltNut Supply");
        await Expect(consent.Scope("orders.read")).ToContainTextAsync("Read purchase orders");
        await Expect(consent.Scope("orders.read")).ToContainTextAsync("Covered by your grant until");
        await Expect(consent.Scope("offline_access")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(PortalFixture.ScreenshotDirectory, "consent-page.png"), FullPage = true });

        // The form posts to PartnerGate, whose answer redirects to the app: CSP form-action must let that redirect through.
        await consent.AcceptAsync();

        await Expect(page).ToHaveURLAsync(new Regex("^http://localhost:7070/callback\\?code="));
        var callback = QueryHelpers.ParseQuery(new Uri(page.Url).Query);
        Assert.False(string.IsNullOrEmpty(callback["code"]));
        Assert.Equal(state, callback["state"].ToString());
        await Expect(page.GetByRole(Microsoft.Playwright.AriaRole.Heading)).ToHaveTextAsync("Signed in to the BoltNut supplier portal");
    }

    [Fact]
    public async Task Carol_OfAnotherPartner_SigningInThroughBoltNutsApp_IsSentBackWithAccessDenied()
    {
        var page = await portal.NewPageAsync();
        await page.RouteAsync("http://localhost:7070/**", route => route.FulfillAsync(new()
        {
            Status = 200,
            ContentType = "text/html",
            Body = "<!DOCTYPE html><title>BoltNut supplier portal</title><h1>Back at the BoltNut supplier portal</h1>",
        }));
        var authorize = QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = "boltnut-web",
            ["redirect_uri"] = Callback,
            ["response_type"] = "code",
            ["scope"] = "openid orders.read",
            ["state"] = "carol-state",
            ["code_challenge"] = WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(Guid.NewGuid().ToString("N")))),
            ["code_challenge_method"] = "S256",
        });

        await page.GotoAsync(authorize);
        await new SignInPage(page).SignInAsync("carol@fastfreight.example", PortalFixture.DemoPassword);

        // The refusal is a redirect that ends the sign-in form's navigation: the sign-in page's CSP must allow
        // the app's registered origin in form-action, or Chrome blocks it and carol sees a browser error page.
        await Expect(page).ToHaveURLAsync(new Regex("^http://localhost:7070/callback\\?error=access_denied"));
        Assert.Equal("carol-state", QueryHelpers.ParseQuery(new Uri(page.Url).Query)["state"].ToString());
    }

    /// <summary>Bob asks for purchase orders and an approver approves, through the real pipeline (the loop itself has its own test).</summary>
    private async Task GiveBobAnOrdersGrantAsync()
    {
        Guid resourceId;
        await using (var db = await portal.Services.GetRequiredService<IDbContextFactory<PartnerGateDbContext>>().CreateDbContextAsync())
        {
            resourceId = await db.Resources.Where(r => r.Name == "purchase-orders").Select(r => r.Id).SingleAsync();
        }

        var requested = await SendAsync<Result<RequestAccessOutcome>>("bob@boltnut.example", new RequestAccessCommand(
            resourceId, ["orders.read"], null, TimeSpan.FromDays(1), "The supplier portal shows our open purchase orders.", "CHG-7070"));
        Assert.True(requested.IsSuccess, requested.Error?.Message);
        var approved = await SendAsync<Result<ApprovalOutcome>>("approver@acme.example",
            new ApproveAccessRequestCommand(requested.Value.RequestId, "Fine for the portal.", null));
        Assert.True(approved.IsSuccess, approved.Error?.Message);
    }

    private async Task<TResponse> SendAsync<TResponse>(string email, IMessage message)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PartnerGateUser>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"No user {email}.");
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Set(
            await scope.ServiceProvider.GetRequiredService<SignInManager<PartnerGateUser>>().CreateUserPrincipalAsync(user));
        return (TResponse)(await scope.ServiceProvider.GetRequiredService<IMediator>().Send(message))!;
    }
}
