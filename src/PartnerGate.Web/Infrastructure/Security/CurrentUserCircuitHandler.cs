using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace PartnerGate.Web.Infrastructure.Security;

/// <summary>
/// Keeps <see cref="CurrentUser"/> in step with the circuit's authentication state, so handlers called
/// from interactive components see the same user the page does (the documented pattern for circuits).
/// </summary>
internal sealed class CurrentUserCircuitHandler(AuthenticationStateProvider authenticationStateProvider, CurrentUser currentUser)
    : CircuitHandler, IDisposable
{
    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        authenticationStateProvider.AuthenticationStateChanged += OnAuthenticationChanged;
        var state = await authenticationStateProvider.GetAuthenticationStateAsync();
        currentUser.Set(state.User);
    }

    /// <summary>Re-reads the state before every event the circuit handles, so no call can race the handler above.</summary>
    public override Func<CircuitInboundActivityContext, Task> CreateInboundActivityHandler(Func<CircuitInboundActivityContext, Task> next) =>
        async context =>
        {
            var state = await authenticationStateProvider.GetAuthenticationStateAsync();
            currentUser.Set(state.User);
            await next(context);
        };

    public void Dispose() => authenticationStateProvider.AuthenticationStateChanged -= OnAuthenticationChanged;

    private void OnAuthenticationChanged(Task<AuthenticationState> task) =>
        _ = task.ContinueWith(t => currentUser.Set(t.Result.User), TaskScheduler.Default);
}
