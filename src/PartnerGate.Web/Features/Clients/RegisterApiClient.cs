using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Web.Infrastructure.Mediator;
using PartnerGate.Web.Infrastructure.Security;
using PartnerGate.Web.Infrastructure.TokenService;

namespace PartnerGate.Web.Features.Clients;

/// <summary>
/// A new client and, for <see cref="ClientAuthenticationMethod.ClientSecret"/>, its secret: this is the only
/// time anyone sees it (invariant 9). <see cref="ToString"/> is overridden so it cannot end up in a log line.
/// </summary>
public sealed record ClientCredentialIssued(string ClientId, string? Secret)
{
    public override string ToString() => $"ClientCredentialIssued {{ ClientId = {ClientId}, Secret = {(Secret is null ? "none" : "***")} }}";
}

/// <summary>
/// A partner admin registers an API client for their own partner: private_key_jwt with a pasted public key
/// (recommended), a generated secret, or — for a service — workload identity: no PartnerGate credential at all, only
/// token exchange with tokens the organisation's IdP issued to one of <paramref name="WorkloadSubjects"/>.
/// </summary>
[RequirePolicy(Policies.PartnerAdmin)]
public sealed record RegisterApiClientCommand(
    string ClientId,
    string DisplayName,
    ApiClientKind Kind,
    ClientAuthenticationMethod AuthenticationMethod,
    IReadOnlyList<string> RedirectUris,
    string? PublicKey,
    IReadOnlyList<string>? WorkloadSubjects = null) : ICommand<Result<ClientCredentialIssued>>
{
    public override string ToString() => $"RegisterApiClientCommand {{ ClientId = {ClientId}, Kind = {Kind}, AuthenticationMethod = {AuthenticationMethod} }}";
}

public sealed class RegisterApiClientValidator : AbstractValidator<RegisterApiClientCommand>
{
    public RegisterApiClientValidator()
    {
        RuleFor(c => c.ClientId).Must(ApiClient.IsValidClientId).WithMessage(ClientRules.ClientIdMessage);
        RuleFor(c => c.DisplayName).NotEmpty().WithMessage("Give the client a name.")
            .MaximumLength(200).WithMessage("The name can be at most 200 characters.");
        RuleFor(c => c.Kind).Must(k => k is ApiClientKind.Service or ApiClientKind.WebApp)
            .WithMessage("Choose a service (client credentials) or a web app (sign-in for partner users).");
        RuleFor(c => c.AuthenticationMethod).IsInEnum().WithMessage("Choose how the client authenticates.");
        RuleFor(c => c.RedirectUris).Must(u => u is { Count: > 0 }).When(c => c.Kind == ApiClientKind.WebApp)
            .WithMessage("A web app needs at least one redirect URI.");
        RuleFor(c => c.RedirectUris).Must(u => u is null || u.Count == 0).When(c => c.Kind != ApiClientKind.WebApp)
            .WithMessage("Only web apps have redirect URIs.");
        RuleFor(c => c.RedirectUris).Must(u => u is null || u.Count <= ApiClient.MaximumRedirectUris)
            .WithMessage($"At most {ApiClient.MaximumRedirectUris} redirect URIs.");
        RuleForEach(c => c.RedirectUris).Must(ApiClient.IsValidRedirectUri).WithMessage(ClientRules.RedirectUriMessage);
        RuleFor(c => c.PublicKey).NotEmpty().When(c => c.AuthenticationMethod == ClientAuthenticationMethod.PrivateKeyJwt)
            .WithMessage("Paste the client's public key (a JWK or a PEM public key).");
        RuleFor(c => c.PublicKey).Empty().When(c => c.AuthenticationMethod == ClientAuthenticationMethod.ClientSecret)
            .WithMessage("A secret client has no public key; PartnerGate generates its secret.");
        RuleFor(c => c.PublicKey).Empty().When(c => c.AuthenticationMethod == ClientAuthenticationMethod.WorkloadIdentity)
            .WithMessage("A workload identity client has no PartnerGate key; it proves itself with tokens from your identity provider.");
        RuleFor(c => c.AuthenticationMethod).Must(m => m != ClientAuthenticationMethod.WorkloadIdentity).When(c => c.Kind != ApiClientKind.Service)
            .WithMessage("Only a service can use workload identity.");
        RuleFor(c => c.WorkloadSubjects).SetValidator(new WorkloadSubjectsValidator()!)
            .When(c => c.WorkloadSubjects is { Count: > 0 } || c.AuthenticationMethod == ClientAuthenticationMethod.WorkloadIdentity);
    }
}

public sealed class RegisterApiClientHandler(IUnitOfWork unitOfWork, ICurrentUser currentUser, TimeProvider clock)
    : ICommandHandler<RegisterApiClientCommand, Result<ClientCredentialIssued>>
{
    public async ValueTask<Result<ClientCredentialIssued>> Handle(RegisterApiClientCommand command, CancellationToken cancellationToken)
    {
        var db = unitOfWork.Db;
        var actor = currentUser.ToActor();
        var partner = await db.Partners.SingleOrDefaultAsync(p => p.Id == actor.PartnerId, cancellationToken);
        if (partner is null)
        {
            return Error.NotFound("partner_not_found", "Your organisation is no longer registered.");
        }

        string? jwks = null;
        if (command.AuthenticationMethod == ClientAuthenticationMethod.PrivateKeyJwt)
        {
            var parsed = ClientApplications.ParsePublicKey(command.PublicKey);
            if (!parsed.IsSuccess)
            {
                return ClientRules.OnField(parsed.Error!, nameof(command.PublicKey));
            }

            jwks = parsed.Value;
        }

        var clientId = command.ClientId.Trim();
        if (await db.ApiClients.AnyAsync(c => c.ClientId == clientId, cancellationToken)
            || await db.Set<OpenIddictEntityFrameworkCoreApplication>().AnyAsync(a => a.ClientId == clientId, cancellationToken))
        {
            return ClientRules.OnField(
                Error.Conflict("client.id_taken", $"The client id '{clientId}' is already taken. Choose another one."), nameof(command.ClientId));
        }

        var registered = ApiClient.Register(partner, actor, clientId, command.DisplayName, command.Kind, command.AuthenticationMethod,
            command.RedirectUris ?? [], clock.GetUtcNow(), command.WorkloadSubjects);
        if (!registered.IsSuccess)
        {
            return registered.Error!;
        }

        var client = registered.Value;
        var secret = jwks is null && !client.IsWorkloadIdentity ? ClientSecrets.Generate() : null;
        db.ApiClients.Add(client);
        db.Add(ClientApplications.Create(client, secret, jwks));
        unitOfWork.Audit("client.registered", "ApiClient", client.ClientId, client.PartnerId, new
        {
            name = client.DisplayName,
            kind = client.Kind.ToString(),
            authentication = client.AuthenticationMethod.ToString(),
            redirectUris = client.RedirectUris,
            workloadSubjects = client.WorkloadSubjects,
        });
        return new ClientCredentialIssued(client.ClientId, secret);
    }
}
