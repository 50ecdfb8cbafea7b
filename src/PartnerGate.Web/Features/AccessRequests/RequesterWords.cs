using PartnerGate.Domain.AccessRequests;

namespace PartnerGate.Web.Features.AccessRequests;

/// <summary>Who asked, and for whom when it is not for themself: "Bob Nut for client boltnut-erp".</summary>
public static class RequesterWords
{
    public static string Describe(string requesterName, AccessSubject subject) =>
        subject.Kind == SubjectKind.Client ? $"{requesterName} for client {subject.Id}" : requesterName;
}
