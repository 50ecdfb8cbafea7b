using PartnerGate.Domain.Clients;
using PartnerGate.Domain.Common;
using PartnerGate.Domain.Partners;
using static PartnerGate.UnitTests.Domain.DomainFixtures;

namespace PartnerGate.UnitTests.Domain.Clients;

/// <summary>The workload subjects rules on the entity: who may set them and which lists are valid.</summary>
public sealed class ApiClientWorkloadSubjectsTests
{
    [Fact]
    public void Register_WorkloadIdentityService_KeepsTrimmedDistinctSubjects()
    {
        var partner = BoltNut();

        var client = ApiClient.Register(partner, PartnerAdmin(partner), "erp-workload", "ERP", ApiClientKind.Service,
            ClientAuthenticationMethod.WorkloadIdentity, [], Now, ["  erp-1 ", "erp-1", "ERP-1", ""]).Value;

        Assert.True(client.IsWorkloadIdentity);
        Assert.Equal(["erp-1", "ERP-1"], client.WorkloadSubjects);
    }

    [Fact]
    public void Register_WorkloadIdentityWithoutSubjects_IsRefused()
    {
        var partner = BoltNut();

        var result = ApiClient.Register(partner, PartnerAdmin(partner), "erp-workload", "ERP", ApiClientKind.Service,
            ClientAuthenticationMethod.WorkloadIdentity, [], Now, []);

        Assert.Equal("client.workload_subject_required", result.Error!.Code);
    }

    [Fact]
    public void Register_WorkloadIdentityWebApp_IsRefused()
    {
        var partner = BoltNut();

        var result = ApiClient.Register(partner, PartnerAdmin(partner), "web-workload", "Web", ApiClientKind.WebApp,
            ClientAuthenticationMethod.WorkloadIdentity, ["https://app.example/cb"], Now, ["erp-1"]);

        Assert.Equal("client.workload_service_only", result.Error!.Code);
    }

    [Theory]
    [InlineData(21, 10, "client.workload_too_many")]
    [InlineData(1, 257, "client.workload_subject_invalid")]
    public void SetWorkloadSubjects_TooManyOrTooLong_IsRefusedAndChangesNothing(int count, int length, string code)
    {
        var partner = BoltNut();
        var admin = PartnerAdmin(partner);
        var client = SecretService(partner, admin);
        var version = client.Version;

        var result = client.SetWorkloadSubjects(admin, Enumerable.Range(0, count).Select(i => i + new string('x', length - i.ToString().Length)).ToList());

        Assert.Equal(code, result.Error!.Code);
        Assert.Empty(client.WorkloadSubjects);
        Assert.Equal(version, client.Version);
    }

    [Fact]
    public void SetWorkloadSubjects_ControlCharacter_IsRefused()
    {
        var partner = BoltNut();
        var admin = PartnerAdmin(partner);
        var client = SecretService(partner, admin);

        Assert.Equal("client.workload_subject_invalid", client.SetWorkloadSubjects(admin, ["erp\n-1"]).Error!.Code);
    }

    [Fact]
    public void SetWorkloadSubjects_OwnPartnerAdmin_ChangesThemAndTheVersion()
    {
        var partner = BoltNut();
        var admin = PartnerAdmin(partner);
        var client = SecretService(partner, admin);
        var version = client.Version;

        Assert.True(client.SetWorkloadSubjects(admin, ["b", " a "]).IsSuccess);

        Assert.Equal(["b", "a"], client.WorkloadSubjects);
        Assert.NotEqual(version, client.Version);
        Assert.True(client.SetWorkloadSubjects(admin, []).IsSuccess);
        Assert.Empty(client.WorkloadSubjects);
    }

    [Fact]
    public void SetWorkloadSubjects_OtherPartnersAdminOrManufacturerAdministrator_IsForbidden()
    {
        var partner = BoltNut();
        var other = Partner.Register("FastFreight", ["fastfreight.example"], Now).Value;
        var client = SecretService(partner, PartnerAdmin(partner));
        var administrator = new Actor(Guid.NewGuid(), "Ada", null, new HashSet<string> { Roles.Administrator });

        Assert.Equal(ErrorKind.Forbidden, client.SetWorkloadSubjects(PartnerAdmin(other), ["x"]).Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, client.SetWorkloadSubjects(administrator, ["x"]).Error!.Kind);
        Assert.Equal(ErrorKind.Forbidden, client.SetWorkloadSubjects(PartnerUser(partner), ["x"]).Error!.Kind);
        Assert.Empty(client.WorkloadSubjects);
    }

    [Fact]
    public void WorkloadIdentityClient_CannotBeEmptiedOrGivenACredential()
    {
        var partner = BoltNut();
        var admin = PartnerAdmin(partner);
        var client = ApiClient.Register(partner, admin, "erp-workload", "ERP", ApiClientKind.Service,
            ClientAuthenticationMethod.WorkloadIdentity, [], Now, ["erp-1"]).Value;

        Assert.Equal("client.workload_subject_required", client.SetWorkloadSubjects(admin, []).Error!.Code);
        Assert.Equal("client.workload_no_credential", client.ReplaceCredential(admin, ClientAuthenticationMethod.ClientSecret, Now).Error!.Code);
        Assert.Equal(ClientAuthenticationMethod.WorkloadIdentity, client.AuthenticationMethod);
    }

    private static ApiClient SecretService(Partner partner, Actor admin) =>
        ApiClient.Register(partner, admin, "erp", "ERP", ApiClientKind.Service, ClientAuthenticationMethod.ClientSecret, [], Now).Value;
}
