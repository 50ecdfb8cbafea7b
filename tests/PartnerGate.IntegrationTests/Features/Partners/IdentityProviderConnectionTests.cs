using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PartnerGate.Domain.Common;
using PartnerGate.IntegrationTests.Infrastructure;
using PartnerGate.Web.Features.Partners;
using static PartnerGate.IntegrationTests.Features.Partners.IdentityProviderWorkflow;
using Outcome = PartnerGate.Web.Features.Partners.ConnectionCheckOutcome;

namespace PartnerGate.IntegrationTests.Features.Partners;

/// <summary>
/// "Test connection" against real servers: the independent node IdP, a port nothing listens on, and a
/// misconfigured provider (a small Kestrel app in the test) — each answer named check by check.
/// </summary>
public sealed class IdentityProviderConnectionTests(SqliteApp app, TestIdpFixture idp, MisconfiguredProvider misconfigured)
    : IClassFixture<TestIdpFixture>, IClassFixture<MisconfiguredProvider>
{
    private Task<Result<ConnectionTestReport>> TestAsync(Guid partnerId, string? authority = null, IReadOnlyList<string>? scopes = null) =>
        app.SendAsync<Result<ConnectionTestReport>>(new TestIdentityProviderConnectionCommand(partnerId, authority, scopes), Admin);

    [Fact]
    public async Task SavedProvider_AgainstTheNodeIdp_PassesEveryCheck_AndIsAudited()
    {
        var partnerId = await app.NewPartnerAsync();
        var providerId = await app.RegisterAsync(partnerId, idp.Idp.Issuer);

        var result = await TestAsync(partnerId);

        Assert.True(result.IsSuccess, result.Error?.Message);
        var report = result.Value;
        Assert.True(report.Succeeded, string.Join("\n", report.Checks.Select(c => $"{c.Code}: {c.Outcome} {c.Message}")));
        Assert.All(report.Checks, c => Assert.Equal(Outcome.Passed, c.Outcome));
        Assert.Equal(idp.Idp.Issuer + "/token", report.Check("token_endpoint").Message);
        Assert.Contains("2 signing key(s)", report.Check("signing_keys").Message, StringComparison.Ordinal);
        var audit = Assert.Single(await app.AuditAsync(partnerId, "idp.connection_tested"));
        Assert.Equal(providerId.ToString(), audit.TargetId);
        Assert.Contains("\"outcome\":\"passed\"", audit.Details!, StringComparison.Ordinal);
        Assert.Contains("\"settings\":\"saved\"", audit.Details!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnsavedValues_APortNothingListensOn_IsUnreachable_AndTheRestIsNotChecked()
    {
        var partnerId = await app.NewPartnerAsync();
        var authority = $"http://127.0.0.1:{LoopbackPort.Free()}";

        var report = (await TestAsync(partnerId, authority)).Value;

        Assert.False(report.Succeeded);
        var reachable = report.Check("discovery_reachable");
        Assert.Equal(Outcome.Failed, reachable.Outcome);
        Assert.Contains("Nothing accepted a connection at 127.0.0.1:", reachable.Message, StringComparison.Ordinal);
        Assert.All(report.Checks.Skip(1), c => Assert.Equal(Outcome.NotChecked, c.Outcome));
        var audit = Assert.Single(await app.AuditAsync(partnerId, "idp.connection_tested"));
        Assert.Equal(("Partner", partnerId.ToString()), (audit.TargetType, audit.TargetId));
        Assert.Contains("\"outcome\":\"failed\"", audit.Details!, StringComparison.Ordinal);
        Assert.Contains("discovery_reachable", audit.Details!, StringComparison.Ordinal);
        Assert.Contains("unsaved form", audit.Details!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnsavedValues_LocalhostWhileTheIdpCallsItself127001_IsAnIssuerMismatchShowingBoth()
    {
        var partnerId = await app.NewPartnerAsync();
        var localhost = idp.Idp.Issuer.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);

        var report = (await TestAsync(partnerId, localhost)).Value;

        Assert.False(report.Succeeded);
        var issuer = report.Check("issuer");
        Assert.Equal(Outcome.Failed, issuer.Outcome);
        Assert.Contains($"the provider says its issuer is \"{idp.Idp.Issuer}\", but it is registered as \"{localhost}\"", issuer.Message, StringComparison.Ordinal);
        Assert.Equal(Outcome.Passed, report.Check("discovery_reachable").Outcome);
        Assert.Equal(Outcome.Passed, report.Check("signing_keys").Outcome);
    }

    [Fact]
    public async Task TrailingSlashOnly_IsAMismatchThatSaysSo()
    {
        var partnerId = await app.NewPartnerAsync();

        var report = (await TestAsync(partnerId, idp.Idp.Issuer + "/")).Value;

        Assert.Contains("differ in the trailing slash", report.Check("issuer").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProviderWithAnEmptyKeySet_FailsSigningKeys()
    {
        var partnerId = await app.NewPartnerAsync();

        var report = (await TestAsync(partnerId, misconfigured.Authority("empty-keys"))).Value;

        Assert.False(report.Succeeded);
        var keys = report.Check("signing_keys");
        Assert.Equal(Outcome.Failed, keys.Outcome);
        Assert.Contains("is empty: the provider publishes no signing keys", keys.Message, StringComparison.Ordinal);
        Assert.Equal(Outcome.Passed, report.Check("issuer").Outcome);
        Assert.Equal(Outcome.Passed, report.Check("token_endpoint").Outcome);
    }

    [Fact]
    public async Task AProviderWithOnlyUnusableKeys_SaysWhichKeysItFound()
    {
        var partnerId = await app.NewPartnerAsync();

        var report = (await TestAsync(partnerId, misconfigured.Authority("unusable-keys"))).Value;

        var keys = report.Check("signing_keys");
        Assert.Equal(Outcome.Failed, keys.Outcome);
        Assert.Contains("has 2 key(s), none usable to verify signatures", keys.Message, StringComparison.Ordinal);
        Assert.Contains("oct", keys.Message, StringComparison.Ordinal);
        Assert.Contains("use=enc", keys.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADocumentWithoutTokenEndpointOrJwksUri_NamesWhatIsMissing()
    {
        var partnerId = await app.NewPartnerAsync();

        var report = (await TestAsync(partnerId, misconfigured.Authority("no-endpoints"), ["openid", "profile", "email"])).Value;

        Assert.Equal(Outcome.Passed, report.Check("authorization_endpoint").Outcome);
        Assert.Contains("has no token_endpoint", report.Check("token_endpoint").Message, StringComparison.Ordinal);
        Assert.Contains("has no jwks_uri", report.Check("jwks_uri").Message, StringComparison.Ordinal);
        Assert.Equal(Outcome.NotChecked, report.Check("signing_keys").Outcome);
        Assert.Equal(Outcome.Warning, report.Check("scopes").Outcome);
        Assert.Contains("does not list profile, email among its scopes", report.Check("scopes").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnHtmlPage_IsNotADiscoveryDocument_AndA404SaysThereIsNone()
    {
        var partnerId = await app.NewPartnerAsync();

        var html = (await TestAsync(partnerId, misconfigured.Authority("html"))).Value;
        var missing = (await TestAsync(partnerId, misconfigured.Authority("nothing-here"))).Value;

        Assert.Equal(Outcome.Failed, html.Check("discovery_document").Outcome);
        Assert.Contains("it is an HTML page", html.Check("discovery_document").Message, StringComparison.Ordinal);
        Assert.Equal(Outcome.Failed, missing.Check("discovery_reachable").Outcome);
        Assert.Contains("answered HTTP 404", missing.Check("discovery_reachable").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpOnANonLoopbackHost_IsRefusedBeforeAnythingIsFetched()
    {
        var partnerId = await app.NewPartnerAsync();

        var result = await TestAsync(partnerId, "http://idp.partner.example");

        Assert.Equal(ErrorKind.Validation, result.Error!.Kind);
        Assert.Contains("https", result.Error.Message, StringComparison.Ordinal);
        Assert.Empty(await app.AuditAsync(partnerId, "idp.connection_tested"));
    }

    [Fact]
    public async Task NothingSavedAndNoIssuerGiven_AsksForTheIssuer()
    {
        var partnerId = await app.NewPartnerAsync();

        var result = await TestAsync(partnerId);

        Assert.Equal(ErrorKind.Validation, result.Error!.Kind);
        Assert.Contains("enter the issuer URL to test", result.Error.Message, StringComparison.Ordinal);
    }
}

/// <summary>
/// A misconfigured OpenID Connect provider: a small loopback Kestrel app whose tenants (path prefixes) publish
/// what real misconfigured servers publish — an empty key set, only symmetric or encryption keys, a discovery
/// document without endpoints, an HTML page, nothing at all.
/// </summary>
public sealed class MisconfiguredProvider : IAsyncLifetime
{
    private WebApplication? server;

    public string Origin { get; private set; } = string.Empty;

    public string Authority(string tenant) => $"{Origin}/{tenant}";

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        server = builder.Build();
        server.MapGet("/{tenant}/.well-known/openid-configuration", (string tenant) => tenant switch
        {
            "html" => Results.Content("<!doctype html><html><body>Welcome to our portal</body></html>", "text/html"),
            "empty-keys" or "unusable-keys" => Results.Json(Discovery(tenant, withTokenEndpoint: true, withJwks: true)),
            "no-endpoints" => Results.Json(Discovery(tenant, withTokenEndpoint: false, withJwks: false)),
            _ => Results.NotFound(),
        });
        server.MapGet("/empty-keys/jwks", () => Results.Json(new JsonObject { ["keys"] = new JsonArray() }));
        server.MapGet("/unusable-keys/jwks", () => Results.Json(new JsonObject
        {
            ["keys"] = new JsonArray(
                new JsonObject { ["kty"] = "oct", ["k"] = "c2VjcmV0LXNoYXJlZC1ieS1taXN0YWtl", ["kid"] = "shared" },
                new JsonObject
                {
                    ["kty"] = "RSA", ["use"] = "enc", ["kid"] = "encryption",
                    ["n"] = "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw",
                    ["e"] = "AQAB",
                }),
        }));
        await server.StartAsync();
        Origin = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    private JsonObject Discovery(string tenant, bool withTokenEndpoint, bool withJwks)
    {
        var document = new JsonObject
        {
            ["issuer"] = Authority(tenant),
            ["authorization_endpoint"] = $"{Authority(tenant)}/authorize",
            ["response_types_supported"] = new JsonArray("code"),
            ["scopes_supported"] = new JsonArray("openid"),
        };
        if (withTokenEndpoint)
        {
            document["token_endpoint"] = $"{Authority(tenant)}/token";
        }

        if (withJwks)
        {
            document["jwks_uri"] = $"{Authority(tenant)}/jwks";
        }

        return document;
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}
