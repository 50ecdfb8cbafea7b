using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace PartnerGate.TokenLoad;

/// <summary>
/// Asks for one token before the load and insists it is a signed ES256 JWT. A token endpoint that answers
/// 200 with an opaque reference, an encrypted JWE or an error would make tokens/s meaningless, so the bench
/// proves what it measured and prints the token's shape next to the numbers.
/// </summary>
internal static class FirstTokenCheck
{
    public static async Task<string?> RunAsync(HttpClient client, TokenRequestFactory requests, CancellationToken cancellationToken)
    {
        using var request = requests.Create();
        using var response = await client.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // A redirect usually means the path is not a token endpoint (the app sent the driver to its login page).
            var location = response.Headers.Location is { } target ? $" (Location: {target})" : "";
            return $"first request returned {(int)response.StatusCode}{location}: {LoadRun.Shorten(body)}";
        }

        string? accessToken;
        try
        {
            using var json = JsonDocument.Parse(body);
            accessToken = json.RootElement.TryGetProperty("access_token", out var value) ? value.GetString() : null;
        }
        catch (JsonException)
        {
            return $"first response is not JSON: {LoadRun.Shorten(body)}";
        }
        if (string.IsNullOrEmpty(accessToken))
        {
            return $"first response has no access_token: {LoadRun.Shorten(body)}";
        }

        var parts = accessToken.Split('.');
        if (parts.Length == 5)
        {
            return "access_token is an encrypted JWE, not a signed JWT (OpenIddict: DisableAccessTokenEncryption)";
        }
        if (parts.Length != 3)
        {
            return "access_token is not a JWT (an opaque or reference token?)";
        }

        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        var alg = Text(header.RootElement, "alg");
        var lifetime = Number(payload.RootElement, "exp") - Number(payload.RootElement, "iat");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"first_token alg={alg} typ={Text(header.RootElement, "typ")} kid={Text(header.RootElement, "kid")} " +
            $"iss={Text(payload.RootElement, "iss")} aud={Text(payload.RootElement, "aud")} " +
            $"scope={Text(payload.RootElement, "scope")} exp_minus_iat_s={(lifetime is null ? "-" : lifetime.ToString())} " +
            $"bytes={accessToken.Length}"));

        return alg == "ES256" ? null : $"access_token is signed with {alg}, the bench compares ES256 tokens";
    }

    private static string Text(JsonElement element, string name) =>
        !element.TryGetProperty(name, out var value) ? "-"
        : value.ValueKind == JsonValueKind.String ? value.GetString() ?? "-"
        : value.ValueKind == JsonValueKind.Array ? string.Join(',', value.EnumerateArray().Select(item => item.ToString()))
        : value.ToString();

    private static long? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInt64(out var number) ? number : null;
}
