using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PartnerGate.TokenLoad;

/// <summary>
/// Signs private_key_jwt client assertions (RFC 7523 §3) with ES256. Signed by hand with <see cref="ECDsa"/>
/// rather than through Microsoft.IdentityModel so the driver needs no package, and so the cost a client pays
/// per request is visible here: one JSON payload and one P-256 signature.
/// </summary>
internal sealed class ClientAssertion : IDisposable
{
    // 60 s is what typical clients use; servers reject assertions that live much longer.
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    private readonly ECDsa key;
    private readonly string clientId;
    private readonly string audience;
    private readonly string encodedHeader;

    public ClientAssertion(string privateKeyPemPath, string clientId, string audience, string? keyId)
    {
        key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(privateKeyPemPath));
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new ArgumentException($"{privateKeyPemPath}: ES256 needs a P-256 key, this one has {key.KeySize} bits");
        }
        this.clientId = clientId;
        this.audience = audience;
        encodedHeader = Encode(Json(writer =>
        {
            writer.WriteString("alg", "ES256");
            // RFC 7523bis (draft-ietf-oauth-rfc7523bis): an explicit client-authentication type, which
            // OpenIddict 7 requires (with aud = the issuer); oidc-provider accepts it too.
            writer.WriteString("typ", "client-authentication+jwt");
            if (keyId is not null)
            {
                writer.WriteString("kid", keyId);
            }
        }));
    }

    public string Create(DateTimeOffset now)
    {
        var payload = Json(writer =>
        {
            writer.WriteString("iss", clientId);
            writer.WriteString("sub", clientId);
            writer.WriteString("aud", audience);
            // A new jti each time: servers refuse a replayed assertion, and a real client never reuses one.
            writer.WriteString("jti", Guid.NewGuid().ToString("N"));
            writer.WriteNumber("iat", now.ToUnixTimeSeconds());
            writer.WriteNumber("exp", now.Add(Lifetime).ToUnixTimeSeconds());
        });

        var signingInput = encodedHeader + "." + Encode(payload);
        // .NET's ECDsa signs in the IEEE P1363 form (r || s, 64 bytes for P-256), which is what JWS requires.
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return signingInput + "." + Encode(signature);
    }

    public void Dispose() => key.Dispose();

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);
}
