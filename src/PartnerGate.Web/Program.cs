using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Identity;
using MudBlazor.Services;
using PartnerGate.Data;
using PartnerGate.Web.Components;
using PartnerGate.Web.Features.AccessMap;
using PartnerGate.Web.Features.Account;
using PartnerGate.Web.Features.AdminApi;
using PartnerGate.Web.Features.Audit;
using PartnerGate.Web.Features.Connect;
using PartnerGate.Web.Features.Demo;
using PartnerGate.Web.Features.Grants;
using PartnerGate.Web.Features.Notifications;
using PartnerGate.Web.Features.SharedSignals;
using PartnerGate.Web.Infrastructure.Database;
using PartnerGate.Web.Infrastructure.Federation;
using PartnerGate.Web.Infrastructure.Live;
using PartnerGate.Web.Infrastructure.Mail;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.ScaleOut;
using PartnerGate.Web.Infrastructure.Security;
using PartnerGate.Web.Infrastructure.TokenService;

var builder = WebApplication.CreateBuilder(args);

try
{
    builder.Services.AddPartnerGateDatabase(builder.Configuration, builder.Environment);
}
catch (DatabaseConfigurationException exception)
{
    // A configuration mistake is not a crash: say plainly what to fix, without a stack trace.
    await Console.Error.WriteLineAsync($"PartnerGate cannot start: {exception.Message}");
    return 1;
}

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddPartnerGateMediator();
builder.Services.AddPartnerGateMail(builder.Configuration);
builder.Services.AddPostureMail(builder.Configuration);
builder.Services.AddPartnerGateTokenService(builder.Configuration, builder.Environment);
builder.Services.AddPartnerGateAdminApi();
builder.Services.AddPartnerGateFederationInfrastructure();
builder.Services.AddPartnerGateFederatedSignIn();
builder.Services.AddSingleton<GrantAuthorizationCache>();
builder.Services.AddSingleton<ResourceCatalog>();

// Identity: local accounts with lockout, signed in with a cookie; API clients use the token service instead.
builder.Services
    .AddIdentity<PartnerGateUser, IdentityRole<Guid>>(options =>
    {
        options.User.RequireUniqueEmail = true;
        options.Password.RequiredLength = 12;
        options.Lockout.AllowedForNewUsers = true;
        options.Lockout.MaxFailedAccessAttempts = 5;
        options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
        options.SignIn.RequireConfirmedAccount = false;
    })
    .AddEntityFrameworkStores<PartnerGateDbContext>()
    .AddClaimsPrincipalFactory<PartnerGateClaimsPrincipalFactory>()
    .AddSignInManager<PartnerGateSignInManager>()
    .AddDefaultTokenProviders();
// Staff second factor (authenticator app): the half-signed-in cookie between password and code lives as long as
// the set-up page's key, and a session keeps its amr (how it was opened) when Identity refreshes it.
builder.Services.AddScoped<StaffAuthenticator>();
builder.Services.Configure<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(
    IdentityConstants.TwoFactorUserIdScheme, options => options.ExpireTimeSpan = TimeSpan.FromMinutes(15));
builder.Services.Configure<SecurityStampValidatorOptions>(options => options.OnRefreshingPrincipal = AuthenticationMethods.PreserveAuthenticationMethods);
builder.Services.ConfigureApplicationCookie(options =>
{
    options.LoginPath = AccountEndpoints.SignInPath;
    options.AccessDeniedPath = "/account/access-denied";
    options.Cookie.Name = "PartnerGate.Session";
    options.Cookie.HttpOnly = true;
    options.Cookie.SameSite = SameSiteMode.Lax;
    options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
    options.ExpireTimeSpan = TimeSpan.FromHours(8);
    options.SlidingExpiration = true;
    SessionValidation.CheckEveryRequest(options);
});

// Keys in the database: every node decrypts every node's cookies and antiforgery tokens, and restarts keep sessions.
var dataProtection = builder.Services.AddDataProtection().SetApplicationName("PartnerGate").PersistKeysToDbContext<PartnerGateDbContext>();

// The key ring protects cookies and the token service's private keys; with a certificate configured it is
// itself encrypted at rest, so a copy of the database alone cannot mint tokens (recommended in production).
if (builder.Configuration["DataProtection:CertificatePath"] is { Length: > 0 } keyCertificatePath)
{
    dataProtection.ProtectKeysWithCertificate(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(
        Path.IsPathRooted(keyCertificatePath) ? keyCertificatePath : Path.Combine(builder.Environment.ContentRootPath, keyCertificatePath),
        builder.Configuration["DataProtection:CertificatePassword"]));
}

builder.Services.AddAuthorizationBuilder().AddPartnerGatePolicies();
builder.Services.AddAccessMap();
builder.Services.AddPartnerGateAudit(builder.Configuration);
builder.Services.AddCascadingAuthenticationState();
builder.Services.AddScoped<CurrentUser>();
builder.Services.AddScoped<ICurrentUser>(sp => sp.GetRequiredService<CurrentUser>());
builder.Services.AddScoped<CircuitHandler, CurrentUserCircuitHandler>();
builder.Services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, SessionRevalidatingAuthenticationStateProvider>();
builder.Services.AddScoped<DemoDataSeeder>();
builder.Services.AddSingleton<LiveUpdateHub>();
builder.Services.AddSharedSignals(builder.Configuration);
builder.Services.AddScaleOut();
builder.Services.AddSingleton<AccessSweepService>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<AccessSweepService>());

builder.Services.AddSignInRateLimiting(builder.Configuration);
builder.Services.AddTrustedProxies(builder.Configuration);
builder.Services.AddHealthChecks()
    .AddCheck<DatabaseReadinessCheck>("database", tags: ["ready"])
    .AddCheck<RedisScaleOutHealthCheck>("scale-out", tags: ["ready"]);
builder.Services.AddProblemDetails();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddMudServices();

var app = builder.Build();

// First, so the HSTS/scheme checks, the rate limiters and authentication all see the client's address and scheme.
app.UseTrustedProxies();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
    app.UseHsts();
}

app.UseSecurityHeaders();
app.UseStatusCodePages(AuthorizationErrorPage.RenderAsync);
app.UseRateLimiter();
app.UsePartnerGateFederatedSignIn();
app.UseAuthentication();
app.Use((context, next) =>
{
    // Handlers read the user through ICurrentUser; for plain HTTP requests it comes from here.
    context.RequestServices.GetRequiredService<CurrentUser>().Set(context.User);
    return next(context);
});
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).AllowAnonymous();
app.MapAccountEndpoints();
app.MapTokenEndpoint();
app.MapAuthorizeEndpoint();
app.MapUserInfoEndpoint();
app.MapEndSessionEndpoint();
app.MapSharedSignals();
app.MapPartnerGateAdminApi();
app.MapAccessMapExport();
app.MapAuditExport();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();
return 0;

/// <summary>Visible to WebApplicationFactory in the integration and end-to-end tests.</summary>
public partial class Program;
