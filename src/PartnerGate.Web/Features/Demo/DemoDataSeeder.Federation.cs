using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using PartnerGate.Data;
using PartnerGate.Domain.Partners;
using PartnerGate.Web.Infrastructure.Federation;

namespace PartnerGate.Web.Features.Demo;

/// <summary>
/// BoltNut's own identity provider, only when <c>Demo:BoltNutIdentityProvider:Authority</c> is configured
/// (README "Federation": the bundled test provider, or a real Entra ID / Okta / Keycloak tenant). Kept in
/// step with the configuration: a changed setting updates the row (and so every node's handler).
/// </summary>
public sealed partial class DemoDataSeeder
{
    public const string IdentityProviderSection = "Demo:BoltNutIdentityProvider";
    public const string IdentityProviderDisplayName = "BoltNut Supply sign-in";

    private readonly IdentityProviderSecrets? identityProviderSecrets;
    private readonly string? protectedDemoClientSecret;

    /// <summary>The constructor DI uses: the primary one plus what the federation seed needs.</summary>
    public DemoDataSeeder(
        PartnerGateDbContext db,
        UserManager<PartnerGateUser> userManager,
        RoleManager<IdentityRole<Guid>> roleManager,
        TimeProvider clock,
        IConfiguration configuration,
        IHostEnvironment environment,
        Account.StaffAuthenticator authenticator,
        global::Mediator.IPublisher publisher,
        ILogger<DemoDataSeeder> logger,
        IdentityProviderSecrets identityProviderSecrets)
        : this(db, userManager, roleManager, clock, configuration, environment, authenticator, publisher, logger)
    {
        this.identityProviderSecrets = identityProviderSecrets;

        // Protected here, before SeedAsync opens its transaction: on a new SQLite database the first Protect
        // writes the Data Protection key ring, which would wait forever on the seed's own write lock.
        if (configuration[IdentityProviderSection + ":ClientSecret"] is { Length: > 0 } secret)
        {
            protectedDemoClientSecret = identityProviderSecrets.Protect(secret);
        }
    }

    private async Task SeedIdentityProviderAsync(List<AuditEntry> audit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var section = configuration.GetSection(IdentityProviderSection);
        if (string.IsNullOrWhiteSpace(section["Authority"]))
        {
            return;
        }

        var secrets = identityProviderSecrets ?? throw new InvalidOperationException("The federation seed needs IdentityProviderSecrets.");
        var clientId = section["ClientId"];
        var clientSecret = section["ClientSecret"];
        if (string.IsNullOrWhiteSpace(clientId) || string.IsNullOrWhiteSpace(clientSecret))
        {
            throw new InvalidOperationException($"{IdentityProviderSection}: set ClientId and ClientSecret beside Authority (the client PartnerGate is registered as at the provider).");
        }

        var roleClaim = string.IsNullOrWhiteSpace(section["RoleClaim"]) ? null : section["RoleClaim"];
        var mapping = new IdentityProviderClaimMapping("email", "name", roleClaim, roleClaim is null ? null : section["PartnerAdminRoleValue"]);
        var mfa = new IdentityProviderMfaRequirement(section.GetValue<bool>("RequireMfa"),
            (section["AcceptedAcrValues"] ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var scopes = (section["Scopes"] ?? "openid profile email").Split(' ', StringSplitOptions.RemoveEmptyEntries);

        var boltNut = await db.Partners.SingleAsync(p => p.Name == "BoltNut Supply", cancellationToken);
        var existing = await db.PartnerIdentityProviders.SingleOrDefaultAsync(p => p.PartnerId == boltNut.Id, cancellationToken);
        if (existing is null)
        {
            var registered = PartnerIdentityProvider.Register(boltNut, IdentityProviderDisplayName, section["Authority"]!, clientId,
                protectedDemoClientSecret ?? secrets.Protect(clientSecret), scopes, mapping, mfa, now);
            var provider = registered.IsSuccess
                ? registered.Value
                : throw new InvalidOperationException($"{IdentityProviderSection}: {registered.Error!.Message}");
            db.PartnerIdentityProviders.Add(provider);
            audit.Add(new AuditEntry("identity_provider.registered", "PartnerIdentityProvider", provider.Id.ToString(), boltNut.Id,
                $$"""{"authority":{{System.Text.Json.JsonSerializer.Serialize(provider.Authority)}},"source":"demo_seed"}"""));
            return;
        }

        var secretChanged = !string.Equals(secrets.Unprotect(existing.ProtectedClientSecret), clientSecret, StringComparison.Ordinal);
        var unchanged = !secretChanged
            && existing.Authority == PartnerIdentityProvider.NormalizeAuthority(section["Authority"])
            && existing.ClientId == clientId.Trim()
            && existing.ClaimMapping == mapping
            && existing.Mfa.Required == mfa.Required && existing.Mfa.AcceptedAcrValues.SequenceEqual(mfa.AcceptedAcrValues)
            && existing.Scopes.SequenceEqual(scopes.Contains("openid") ? scopes : ["openid", .. scopes]);
        if (unchanged)
        {
            return;
        }

        var updated = existing.Update(existing.DisplayName, section["Authority"]!, clientId, secretChanged ? protectedDemoClientSecret ?? secrets.Protect(clientSecret) : null,
            scopes, mapping, mfa, now);
        if (!updated.IsSuccess)
        {
            throw new InvalidOperationException($"{IdentityProviderSection}: {updated.Error!.Message}");
        }

        audit.Add(new AuditEntry("identity_provider.updated", "PartnerIdentityProvider", existing.Id.ToString(), boltNut.Id,
            $$"""{"authority":{{System.Text.Json.JsonSerializer.Serialize(existing.Authority)}},"secretChanged":{{(secretChanged ? "true" : "false")}},"source":"demo_seed"}"""));
    }
}
