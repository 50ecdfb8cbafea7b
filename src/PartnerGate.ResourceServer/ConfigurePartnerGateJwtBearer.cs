using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace PartnerGate.ResourceServer;

internal sealed class ConfigurePartnerGateJwtBearer(IOptions<PartnerGateResourceServerOptions> settings, TimeProvider timeProvider)
    : IConfigureNamedOptions<JwtBearerOptions>
{
    public void Configure(JwtBearerOptions options) => Configure(Options.DefaultName, options);

    public void Configure(string? name, JwtBearerOptions options)
    {
        if (name != PartnerGateResourceServerDefaults.AuthenticationScheme)
        {
            return;
        }

        var resourceServer = settings.Value;
        var authority = resourceServer.Authority.TrimEnd('/');
        options.Authority = authority;
        options.MetadataAddress = authority + "/.well-known/openid-configuration";
        options.RequireHttpsMetadata = !Uri.TryCreate(authority, UriKind.Absolute, out var uri) || !uri.IsLoopback;
        options.MapInboundClaims = false;
        options.TimeProvider = timeProvider;
        if (resourceServer.BackchannelHttpHandler is not null)
        {
            options.BackchannelHttpHandler = resourceServer.BackchannelHttpHandler;
        }

        var parameters = options.TokenValidationParameters;
        parameters.ValidAudience = null;
        parameters.ValidAudiences = [resourceServer.Audience, .. resourceServer.AdditionalAudiences];
        parameters.ValidateAudience = true;
        parameters.IgnoreTrailingSlashWhenValidatingAudience = false;

        // No ValidIssuer: JwtBearer then accepts exactly the issuer named by the discovery document the keys came from.
        parameters.ValidateIssuer = true;
        parameters.ValidateIssuerSigningKey = true;
        parameters.RequireSignedTokens = true;
        parameters.RequireExpirationTime = true;
        parameters.ValidateLifetime = true;
        parameters.ClockSkew = resourceServer.ClockSkew;

        // The handler's own lifetime check reads the system clock; this one reads the host's TimeProvider, so a
        // host (or a test) that controls time sees tokens expire by that clock. exp is required above.
        parameters.LifetimeValidator = (notBefore, expires, _, validation) =>
        {
            var now = timeProvider.GetUtcNow().UtcDateTime;
            return expires is { } exp
                && exp.ToUniversalTime() > now - validation.ClockSkew
                && (notBefore is not { } nbf || nbf.ToUniversalTime() <= now + validation.ClockSkew);
        };
        parameters.ValidTypes = [.. PartnerGateResourceServerDefaults.AccessTokenTypes];
        parameters.ValidAlgorithms = [.. PartnerGateResourceServerDefaults.Algorithms];
        parameters.NameClaimType = JwtRegisteredClaimNames.Sub;
        parameters.RoleClaimType = "role";
    }
}
