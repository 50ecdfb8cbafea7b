namespace PartnerGate.SupplyNetworkApi;

// A named entry point rather than top-level statements: for those the Web SDK generates a public global Program,
// which would collide with the portal's in a test project that references both.
internal static class Program
{
    public static Task Main(string[] args) => SupplyNetworkApplication.Build(args).RunAsync();
}
