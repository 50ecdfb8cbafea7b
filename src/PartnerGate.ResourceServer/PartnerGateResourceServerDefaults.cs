namespace PartnerGate.ResourceServer;

public static class PartnerGateResourceServerDefaults
{
    /// <summary>Its own scheme name, so an API that already has a "Bearer" scheme for something else can add PartnerGate beside it.</summary>
    public const string AuthenticationScheme = "PartnerGate";

    /// <summary>RFC 9068 access-token types; anything else (an ID token, a plain "JWT") is refused.</summary>
    public static readonly IReadOnlyList<string> AccessTokenTypes = ["at+jwt", "application/at+jwt"];

    /// <summary>The algorithms PartnerGate signs with; HS* would let anyone holding a shared secret mint tokens, and "none" is unsigned.</summary>
    public static readonly IReadOnlyList<string> Algorithms = ["ES256", "PS256"];
}
