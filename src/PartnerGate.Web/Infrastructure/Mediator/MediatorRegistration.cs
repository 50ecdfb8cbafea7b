using FluentValidation;

namespace PartnerGate.Web.Infrastructure.Mediator;

public static class MediatorRegistration
{
    /// <summary>
    /// The one place Mediator is registered. The source generator reads these options at compile time in
    /// this project, so the app and the tests must both call this method (never AddMediator themselves).
    /// Scoped, because handlers depend on the signed-in user of the request or circuit.
    /// </summary>
    public static IServiceCollection AddPartnerGateMediator(this IServiceCollection services)
    {
        services.AddMediator(options =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.Assemblies = [typeof(MediatorRegistration)];
            options.PipelineBehaviors =
            [
                typeof(LoggingBehavior<,>),
                typeof(ValidationBehavior<,>),
                typeof(AuthorizationBehavior<,>),
                typeof(UnitOfWorkBehavior<,>),
            ];
        });
        services.AddScoped<IUnitOfWork, UnitOfWork>();
        services.AddValidatorsFromAssemblyContaining(typeof(MediatorRegistration), includeInternalTypes: true);
        return services;
    }
}
