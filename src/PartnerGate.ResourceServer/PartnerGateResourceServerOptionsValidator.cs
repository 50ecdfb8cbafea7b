using Microsoft.Extensions.Options;

namespace PartnerGate.ResourceServer;

internal sealed class PartnerGateResourceServerOptionsValidator : IValidateOptions<PartnerGateResourceServerOptions>
{
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
