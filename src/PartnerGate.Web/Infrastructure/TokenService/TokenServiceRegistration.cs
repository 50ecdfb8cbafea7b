using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using PartnerGate.Data;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace PartnerGate.Web.Infrastructure.TokenService;

/// <summary>
/// The OAuth 2 / OpenID Connect server (OpenIddict): endpoints, flows, keys and PartnerGate's own rules
/// (grant-bound issuance in <c>Features/Connect</c>, the live re-check of every presented token in
/// <see cref="TokenStillBackedHandler"/>).
/// </summary>
public static class TokenServiceRegistration
{
    public const string TokenEndpoint = "/connect/token";
    public const string AuthorizationEndpoint = "/connect/authorize";
    public const string IntrospectionEndpoint = "/connect/introspect";
    public const string RevocationEndpoint = "/connect/revoke";
    public const string EndSessionEndpoint = "/connect/endsession";
    public const string UserInfoEndpoint = "/connect/userinfo";
    public const string JwksEndpoint = "/.well-known/jwks";

    public static IServiceCollection AddPartnerGateTokenService(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.Configure<TokenServiceOptions>(configuration.GetSection(TokenServiceOptions.Section));
        var settings = configuration.GetSection(TokenServiceOptions.Section).Get<TokenServiceOptions>() ?? new TokenServiceOptions();
        services.AddSingleton<SigningKeyRing>();
        services.AddSingleton<Features.Connect.SubjectTokenValidator>();
        services.AddHostedService<SigningKeyRotationService>();

        services.AddOpenIddict()
            .AddCore(core =>
            {
                core.UseEntityFrameworkCore().UseDbContext<PartnerGateDbContext>();
                core.ReplaceApplicationManager<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication, PartnerGateApplicationManager>();

                // Clients are changed by PartnerGate's own commands (one transaction with their audit event)
                // and by other nodes: a cached copy could accept a rotated secret or a disabled client.
                core.DisableEntityCaching();
            })
            .AddServer(server =>
            {
                if (!string.IsNullOrWhiteSpace(settings.Issuer))
                {
                    server.SetIssuer(new Uri(settings.Issuer, UriKind.Absolute));
                }

                server.SetTokenEndpointUris(TokenEndpoint)
                    .SetAuthorizationEndpointUris(AuthorizationEndpoint)
                    .SetIntrospectionEndpointUris(IntrospectionEndpoint)
                    .SetRevocationEndpointUris(RevocationEndpoint)
                    .SetEndSessionEndpointUris(EndSessionEndpoint)
                    .SetUserInfoEndpointUris(UserInfoEndpoint)
                    .SetJsonWebKeySetEndpointUris(JwksEndpoint);

                // No implicit, no password, no device flow. Token exchange (RFC 8693) takes a workload token of the
                // client's partner IdP (Features/Connect/ExchangeSubjectToken); only an access token is issued for it.
                server.AllowClientCredentialsFlow()
                    .AllowAuthorizationCodeFlow()
                    .AllowRefreshTokenFlow()
                    .AllowTokenExchangeFlow()
                    .RequireProofKeyForCodeExchange();
                server.Configure(options =>
                {
                    // Subject tokens come from partner IdPs, never from PartnerGate itself: its own id and refresh tokens
                    // are not exchangeable, and actor tokens (delegation chains) are not accepted.
                    options.SubjectTokenTypes.Clear();
                    options.SubjectTokenTypes.Add(TokenTypeIdentifiers.GenericJsonWebToken);
                    options.SubjectTokenTypes.Add(TokenTypeIdentifiers.AccessToken);
                    options.ActorTokenTypes.Clear();
                });

                // Signed, not encrypted: any resource server validates them with the JWKS (RFC 9068 at+jwt).
                server.DisableAccessTokenEncryption();

                // Scopes and resource indicators are decided by the grants (Features/Connect), never by
                // per-client scope lists: a token may carry only what active grants cover.
                server.DisableScopeValidation()
                    .DisableResourceValidation()
                    .DisableAudienceValidation()
                    .IgnoreScopePermissions()
                    .IgnoreResourcePermissions()
                    .IgnoreAudiencePermissions();

                server.SetRefreshTokenLifetime(settings.RefreshTokenLifetime)
                    .SetAuthorizationCodeLifetime(TimeSpan.FromMinutes(2))
                    .SetIdentityTokenLifetime(TimeSpan.FromMinutes(5))
                    .SetAccessTokenLifetime(Domain.Resources.AccessPolicy.DefaultTokenLifetime);

                server.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.OfflineAccess);
                server.RegisterClaims(Claims.Scope, Claims.ClientId, TokenClaims.PartnerId, TokenClaims.GrantId, TokenClaims.Actor, Claims.Name, Claims.Email);

                // PKCE with S256 only: "plain" would let anyone who sees the authorization request redeem the code.
                server.Configure(options => options.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));

                server.AddEventHandler(TokenStillBackedHandler.Descriptor);
                server.AddEventHandler(ExternalSubjectTokens.Descriptor);
                server.AddEventHandler(GrantLifetimeCap.Descriptor);
                server.UseResourceServerIntrospection();
                server.UseClientAuthenticationThrottling();

                var aspNetCore = server.UseAspNetCore()
                    .EnableTokenEndpointPassthrough()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableStatusCodePagesIntegration();
                if (settings.AllowInsecureHttp || environment.IsDevelopment())
                {
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            });

        services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, ConfigureTokenServiceKeys>();
        services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, TimeProviderForOpenIddict>();
        return services;
    }
}

/// <summary>Gives OpenIddict the key ring, or the configured certificates in production.</summary>
internal sealed class ConfigureTokenServiceKeys(SigningKeyRing ring, IOptions<TokenServiceOptions> options, IHostEnvironment environment)
    : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions serverOptions)
    {
        var settings = options.Value;
        var certificates = settings.SigningCertificates.Where(c => !string.IsNullOrWhiteSpace(c.Path)).ToList();
        if (certificates.Count == 0)
        {
            ring.ApplyTo(serverOptions);
            return;
        }

        if (settings.EncryptionCertificate is not { Path.Length: > 0 } encryption)
        {
            throw new InvalidOperationException("TokenService:EncryptionCertificate is required when TokenService:SigningCertificates are configured.");
        }

        foreach (var file in certificates)
        {
            var certificate = Load(file, environment);
            if (certificate.GetECDsaPrivateKey() is { } ecdsa)
            {
                // IdentityModel signs only with RSA through an X509SecurityKey: an EC certificate's key is used
                // directly, named by the certificate's thumbprint so operators can match it.
                var key = new Microsoft.IdentityModel.Tokens.ECDsaSecurityKey(ecdsa)
                {
                    KeyId = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(certificate.GetCertHash()),
                };
                serverOptions.SigningCredentials.Add(new Microsoft.IdentityModel.Tokens.SigningCredentials(key, SigningKeyRing.Es256));
            }
            else
            {
                serverOptions.SigningCredentials.Add(new Microsoft.IdentityModel.Tokens.X509SigningCredentials(
                    certificate, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.RsaSsaPssSha256));
            }
        }

        serverOptions.EncryptionCredentials.Add(new Microsoft.IdentityModel.Tokens.X509EncryptingCredentials(Load(encryption, environment)));
    }

    private static X509Certificate2 Load(CertificateFile file, IHostEnvironment environment)
    {
        var path = Path.IsPathRooted(file.Path) ? file.Path : Path.Combine(environment.ContentRootPath, file.Path);
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, file.Password, X509KeyStorageFlags.EphemeralKeySet);
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"The certificate '{file.Path}' has no private key.");
        }

        if (certificate.Subject.Contains("OpenIddict Server", StringComparison.Ordinal))
        {
            // The development certificate OpenIddict generates: never for real tokens (invariant 9).
            throw new InvalidOperationException($"The certificate '{file.Path}' is OpenIddict's development certificate.");
        }

        return certificate;
    }
}

/// <summary>OpenIddict's expiry and issuance times follow the app's <see cref="TimeProvider"/>, so tests can move time.</summary>
internal sealed class TimeProviderForOpenIddict(TimeProvider clock) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options) => options.TimeProvider = clock;
}
