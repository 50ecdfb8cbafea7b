using Microsoft.Extensions.Options;

namespace PartnerGate.Web.Infrastructure.Mail;

public static class MailRegistration
{
    /// <summary>
    /// The outbox dispatcher, its signal and the SMTP transport, configured from <c>Smtp</c> and
    /// <c>Mail</c>. Register after the database: the dispatcher starts once migrations have run.
    /// A bad <c>Smtp</c> section stops start-up with every problem named.
    /// </summary>
    public static IServiceCollection AddPartnerGateMail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>();
        services.AddOptions<MailDispatchOptions>().Bind(configuration.GetSection(MailDispatchOptions.SectionName));

        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<IMailTransport, MailKitMailTransport>();

        // One instance serves as the hosted service and as the entry point for an explicit pass.
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        return services;
    }
}

internal sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options)
    {
        var problems = options.Problems().ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
