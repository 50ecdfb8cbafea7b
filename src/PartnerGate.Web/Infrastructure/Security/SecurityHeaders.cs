namespace PartnerGate.Web.Infrastructure.Security;

/// <summary>
/// Security headers on every response. The Content-Security-Policy is as strict as Blazor Server with
/// MudBlazor allows: scripts only from this origin (no inline script, no eval), the circuit's WebSocket
/// to this origin only, no framing, no plugins. Styles need 'unsafe-inline' because MudBlazor sets
/// style attributes and injects its theme as a &lt;style&gt; element at run time, which neither hashes
/// nor nonces can cover.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; " +
        "script-src 'self'; " +
        "style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; " +
        "font-src 'self' data:; " +
        "connect-src 'self'; " +
        "object-src 'none'; " +
        "base-uri 'self'; " +
        "form-action 'self'; " +
        "frame-ancestors 'none'";

    private const string FormActionOrigins = "PartnerGate.FormActionOrigins";

    /// <summary>
    /// Lets this one response's forms lead to <paramref name="origin"/>. Chrome applies <c>form-action</c> to the
    /// redirect that answers a form post too, so the OAuth consent page must allow the client's registered
    /// redirect URI origin, or the browser blocks the way back to the application.
    /// </summary>
    public static void AllowFormActionTo(HttpContext context, string origin)
    {
        // Only a plain scheme://host[:port] origin: nothing that could end the directive or add another.
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.GetLeftPart(UriPartial.Authority) != origin
            || origin.Any(c => char.IsWhiteSpace(c) || c is ';' or ',' or '\'' or '"'))
        {
            throw new ArgumentException($"'{origin}' is not an origin.", nameof(origin));
        }

        if (context.Items[FormActionOrigins] is not List<string> origins)
        {
            context.Items[FormActionOrigins] = origins = [];
        }

        origins.Add(origin);
    }

    /// <summary>
    /// The policy for <paramref name="context"/>'s response: the strict one, widened only by <see cref="AllowFormActionTo"/>
    /// and, on the API reference page alone, by the nonce of that response's own start-up script.
    /// </summary>
    public static string PolicyFor(HttpContext context)
    {
        var policy = context.Items[FormActionOrigins] is List<string> { Count: > 0 } origins
            ? ContentSecurityPolicy.Replace("form-action 'self'", "form-action 'self' " + string.Join(' ', origins.Distinct(StringComparer.Ordinal)), StringComparison.Ordinal)
            : ContentSecurityPolicy;
        return ReferencePageNonce(context) is { } nonce
            ? policy.Replace("script-src 'self'", $"script-src 'self' 'nonce-{nonce}'", StringComparison.Ordinal)
            : policy;
    }

    /// <summary>
    /// Scalar (<c>/scalar</c>) starts itself with one inline module script that carries a fresh random nonce per response.
    /// Only on that path, and only a nonce made of base64/base64url characters, so nothing can end the directive.
    /// </summary>
    private static string? ReferencePageNonce(HttpContext context) =>
        context.Request.Path.StartsWithSegments(Features.AdminApi.AdminApiEndpoints.ReferencePath, StringComparison.Ordinal)
        && context.Items[Scalar.AspNetCore.ScalarOptions.NonceHttpContextItemKey] is string { Length: >= 16 and <= 128 } nonce
        && nonce.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '-' or '_')
            ? nonce
            : null;

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = PolicyFor(context);
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                return Task.CompletedTask;
            });
            await next(context);
        });
}
