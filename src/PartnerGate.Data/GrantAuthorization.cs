namespace PartnerGate.Data;

/// <summary>
/// Links a grant to the OpenIddict authorizations its tokens were issued under, so revoking the grant
/// revokes those authorizations and every token (access and refresh) in the same transaction.
/// </summary>
public sealed class GrantAuthorization
{
    public Guid GrantId { get; set; }
    public string AuthorizationId { get; set; } = string.Empty;
}
