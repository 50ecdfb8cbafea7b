using Microsoft.Extensions.Options;

namespace PartnerGate.ResourceServer;

internal sealed class PartnerGateResourceServerOptionsValidator : IValidateOptions<PartnerGateResourceServerOptions>
{
    public static readonly TimeSpan MinimumSilenceBound = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaximumSilenceBound = TimeSpan.FromSeconds(60);

    public ValidateOptionsResult Validate(string? name, PartnerGateResourceServerOptions options)
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(options.Authority, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"PartnerGate authority '{options.Authority}' is not an absolute http(s) address.");
        }
        else if (authority.Scheme != Uri.UriSchemeHttps && !authority.IsLoopback)
        {
            // Keys fetched over plain HTTP from another host could be swapped on the way: anyone could then sign tokens.
            failures.Add($"PartnerGate authority '{options.Authority}' must use https (plain http is accepted on loopback only).");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add("The audience (this API's resource identifier) is required.");
        }

        if (options.ClockSkew < TimeSpan.Zero || options.ClockSkew > PartnerGateResourceServerOptions.MaximumClockSkew)
        {
            failures.Add($"Clock skew {options.ClockSkew} is outside 0 to {PartnerGateResourceServerOptions.MaximumClockSkew}.");
        }

        var feed = options.RevocationFeed;
        if (feed.Enabled || feed.WhenSilent == FeedSilenceMode.Introspection)
        {
            var uses = feed.Enabled ? "The revocation feed" : "Introspection (RevocationFeed.WhenSilent)";
            if (string.IsNullOrWhiteSpace(options.ClientId))
            {
                failures.Add($"{uses} needs ClientId: this API's client_id at PartnerGate (an API client of kind ResourceServer).");
            }

            if (string.IsNullOrWhiteSpace(options.ClientSecret))
            {
                failures.Add($"{uses} needs ClientSecret: the secret of this API's ResourceServer client at PartnerGate.");
            }
        }

        if (feed.SilenceBound < MinimumSilenceBound || feed.SilenceBound > MaximumSilenceBound)
        {
            // Below a second, one late heartbeat (sent every second) would refuse every token; above a minute, a
            // revocation could go unnoticed for that long while the API believes it is current.
            failures.Add($"RevocationFeed.SilenceBound {feed.SilenceBound} is outside {MinimumSilenceBound} to {MaximumSilenceBound}.");
        }

        if (!Enum.IsDefined(feed.WhenSilent))
        {
            failures.Add($"RevocationFeed.WhenSilent {(int)feed.WhenSilent} is neither FailClosed nor Introspection.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
