using Nexus.Proxmox.Configuration;

namespace Nexus.Proxmox.Tests.Configuration;

public class ProxmoxApiTokenTests
{
    private const string Secret = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    [Fact]
    public void A_token_is_parsed_into_user_realm_and_token_name()
    {
        var token = ProxmoxApiToken.Parse($"root@pam!portal={Secret}");

        Assert.Equal("root", token.User);
        Assert.Equal("pam", token.Realm);
        Assert.Equal("portal", token.TokenName);
        Assert.Equal("root@pam!portal", token.TokenId);
        Assert.Equal($"PVEAPIToken=root@pam!portal={Secret}", token.AuthorizationHeaderValue);
    }

    [Fact]
    public void A_pasted_header_value_is_accepted()
    {
        var token = ProxmoxApiToken.Parse($"PVEAPIToken=nexus@pve!audit={Secret}");

        Assert.Equal("nexus@pve!audit", token.TokenId);
    }

    [Fact]
    public void ToString_never_reveals_the_secret()
    {
        var token = ProxmoxApiToken.Parse($"root@pam!portal={Secret}");
        var config = new ProxmoxServerConfig("s1", new ProxmoxEndpoint("pve.example"), null, ProxmoxTrust.SystemStore, token);

        Assert.DoesNotContain(Secret, token.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, config.ToString(), StringComparison.Ordinal);
        Assert.Contains("root@pam!portal", config.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("root@pam!portal", "no '=SECRET'")]
    [InlineData("root@pam!portal:" + Secret, "Proxmox Backup Server")]
    [InlineData("root!portal=" + Secret, "USER@REALM!TOKENID")]
    [InlineData("root@pam=" + Secret, "USER@REALM!TOKENID")]
    [InlineData("root@pam!portal=", "secret")]
    [InlineData("root@pam!portal=abc def", "secret")]
    public void A_malformed_token_is_refused_with_a_clear_message_that_hides_the_secret(string value, string expected)
    {
        var error = Assert.Throws<FormatException>(() => ProxmoxApiToken.Parse(value));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.False(ProxmoxApiToken.TryParse(value, out _));
    }
}
