namespace PartnerGate.Domain.AccessRequests;

public enum SubjectKind
{
    /// <summary>A partner user acting for themself (authorization-code flow).</summary>
    User,

    /// <summary>One of the partner's API clients (client credentials, token exchange).</summary>
    Client,
}

/// <summary>Who a request or grant is for: a partner user's id or an API client's client_id.</summary>
public sealed record AccessSubject(SubjectKind Kind, string Id)
{
    public static AccessSubject ForUser(Guid userId) => new(SubjectKind.User, userId.ToString());
    public static AccessSubject ForClient(string clientId) => new(SubjectKind.Client, clientId);
}
