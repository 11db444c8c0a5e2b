using Nexus.Data;
using Nexus.Tests.Data;
using Nexus.Tests.Support;

namespace Nexus.Tests.Identity;

/// <summary>Authentication settings are checked at start-up, with one message naming the setting.</summary>
public sealed class AuthOptionsTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    [Theory]
    [InlineData("--Nexus:Auth:SigningKey=c2hvcnQ=", "Nexus:Auth:SigningKey")]
    [InlineData("--Nexus:Auth:SigningKey=not base64!", "Nexus:Auth:SigningKey")]
    [InlineData("--Nexus:Auth:LockoutThreshold=0", "Nexus:Auth:LockoutThreshold")]
    [InlineData("--Nexus:Auth:BootstrapAdminPassword=short", "Nexus:Auth:BootstrapAdminPassword")]
    public async Task An_invalid_setting_stops_start_up_naming_it(string argument, string setting)
    {
        var error = await Assert.ThrowsAsync<NexusStartupException>(() =>
            NexusTestHost.StartAsync(database.ConnectionString, "auth-options", argument, "--Nexus:Auth:BootstrapAdminEmail=a@nexus.test"));
        Assert.StartsWith(setting + ":", error.Message);
    }
}
