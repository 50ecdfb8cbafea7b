using MailKit.Security;
using PartnerGate.Web.Infrastructure.Mail;

namespace PartnerGate.UnitTests.Web;

/// <summary>The Smtp section: what counts as configured, and the mistakes that stop start-up with a message.</summary>
public sealed class SmtpOptionsTests
{
    [Fact]
    public void Defaults_AreValid_AndNotConfigured()
    {
        var options = new SmtpOptions();

        Assert.Empty(options.Problems());
        Assert.False(options.IsConfigured);
        Assert.Equal(25, options.Port);
        Assert.Equal("http://localhost:5080/inbox", options.Link("/inbox"));
    }

    [Theory]
    [InlineData(SmtpSecurity.None, SecureSocketOptions.None)]
    [InlineData(SmtpSecurity.StartTls, SecureSocketOptions.StartTls)]
    [InlineData(SmtpSecurity.SslOnConnect, SecureSocketOptions.SslOnConnect)]
    public void Security_MapsToMailKitWithoutOpportunisticFallback(SmtpSecurity security, SecureSocketOptions expected)
    {
        Assert.Equal(expected, new SmtpOptions { Security = security }.SocketOptions);
    }

    [Fact]
    public void Host_Set_IsConfigured_AndLinksUseThePortalAddress()
    {
        var options = new SmtpOptions { Host = "mail.acme.example", PortalBaseUrl = "https://partnergate.acme.example/" };

        Assert.True(options.IsConfigured);
        Assert.Equal("https://partnergate.acme.example/grants", options.Link("/grants"));
    }

    [Fact]
    public void Mistakes_AreEachNamed()
    {
        var options = new SmtpOptions
        {
            Host = "mail.acme.example",
            Port = 0,
            From = "not an address",
            PortalBaseUrl = "partnergate.acme.example",
            TimeoutSeconds = 60,
            UserName = "relay",
        };

        var problems = options.Problems().ToList();

        Assert.Equal(5, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Smtp:Port", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Smtp:From", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Smtp:PortalBaseUrl", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Smtp:TimeoutSeconds", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Smtp:UserName and Smtp:Password", StringComparison.Ordinal));
    }
}
