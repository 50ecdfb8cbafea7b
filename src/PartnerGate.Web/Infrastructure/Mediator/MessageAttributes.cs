namespace PartnerGate.Web.Infrastructure.Mediator;

/// <summary>
/// The authorization policy a message needs (see <see cref="Security.Policies"/>). A message without
/// this attribute or <see cref="AllowAnonymousMessageAttribute"/> still needs a signed-in user:
/// deny by default.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RequirePolicyAttribute(string policy) : Attribute
{
    public string Policy { get; } = policy;
}

/// <summary>For the few messages that run before anyone is signed in (signing in itself).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class AllowAnonymousMessageAttribute : Attribute;

/// <summary>What a user reads when someone else changed the same record at the same moment (optimistic concurrency).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ConcurrencyConflictMessageAttribute(string message) : Attribute
{
    public string Message { get; } = message;
}
