using System.Net.Http.Headers;
using System.Text;

namespace PartnerGate.TokenLoad;

/// <summary>Builds one client_credentials token request, authenticated as the options say.</summary>
internal sealed class TokenRequestFactory : IDisposable
{
    private readonly LoadOptions options;
    private readonly ClientAssertion? assertion;
    private readonly AuthenticationHeaderValue? basic;
    private readonly KeyValuePair<string, string>[] fixedFields;

    public TokenRequestFactory(LoadOptions options)
    {
        this.options = options;
        var fields = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };

        if (options.PrivateKeyPath is not null)
        {
            assertion = new ClientAssertion(options.PrivateKeyPath, options.ClientId, options.AssertionAudience, options.KeyId);
            fields.Add(new("client_id", options.ClientId));
            fields.Add(new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
        }
        else if (options.SecretPlacement == SecretPlacement.Basic)
        {
            // RFC 6749 §2.3.1: both parts are form-urlencoded before they are joined and base64-encoded.
            var credentials = Uri.EscapeDataString(options.ClientId) + ":" + Uri.EscapeDataString(options.Secret!);
            basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        else
        {
            fields.Add(new("client_id", options.ClientId));
            fields.Add(new("client_secret", options.Secret!));
        }

        if (options.Scope is not null)
        {
            fields.Add(new("scope", options.Scope));
        }
        if (options.Resource is not null)
        {
            fields.Add(new("resource", options.Resource));
        }
        fixedFields = [.. fields];
    }

    public HttpRequestMessage Create()
    {
        IEnumerable<KeyValuePair<string, string>> fields = fixedFields;
        if (assertion is not null)
        {
            // Signed per request, inside the timed section: a real private_key_jwt client pays this too,
            // and a cached assertion would be refused as a replay (same jti).
            fields = fields.Append(new("client_assertion", assertion.Create(DateTimeOffset.UtcNow)));
        }

        var request = new HttpRequestMessage(HttpMethod.Post, options.Url) { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Authorization = basic;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    public void Dispose() => assertion?.Dispose();
}
