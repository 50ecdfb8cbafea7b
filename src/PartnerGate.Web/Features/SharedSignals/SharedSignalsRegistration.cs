namespace PartnerGate.Web.Features.SharedSignals;

public static class SharedSignalsRegistration
{
    /// <summary>The revocation-feed transmitter: SET signing, the per-node broadcaster, and the three delivery methods.</summary>
    public static IServiceCollection AddSharedSignals(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SharedSignalsOptions>(configuration.GetSection(SharedSignalsOptions.Section));
        services.AddSingleton<SecurityEventSignal>();
        services.AddSingleton<SecurityEventTokenWriter>();
        services.AddSingleton<SharedSignalsIssuer>();
        services.AddSingleton<SecurityEventBroadcaster>();
        services.AddHostedService(sp => sp.GetRequiredService<SecurityEventBroadcaster>());
        services.AddSingleton<SseDelivery>();
        services.AddSingleton<PollDelivery>();
        services.AddSingleton<StreamVerification>();
        services.AddSingleton<PushSender>();
        services.AddSingleton<PushDeliveryService>();
        services.AddHostedService(sp => sp.GetRequiredService<PushDeliveryService>());
        services.AddScoped<ResourceServerAuthentication>();

        // Pushes carry the receiver's credential: never follow a redirect with it, and never wait long for one receiver.
        services.AddHttpClient(PushSender.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        return services;
    }
}
