using Nexus.Data;
using Nexus.Data.Secrets;

namespace Nexus.Tests.Servers;

/// <summary>Sealing API tokens: AES-GCM bound to the server and the key id; key settings checked at start-up.</summary>
public sealed class CredentialProtectorTests
{
    private const string Token = "root@pam!nexus=8f6e2c1a-0000-4000-8000-123456789abc";

    private static CredentialKeyRing Ring(string active, params (string Id, string Key)[] keys) =>
        CredentialKeyRing.Create(new CredentialOptions { Keys = keys.ToDictionary(k => k.Id, k => k.Key), ActiveKeyId = active },
            () => throw new InvalidOperationException("no generated key expected"));

    [Fact]
    public void A_sealed_token_opens_for_its_server_only_and_never_twice_the_same_bytes()
    {
        var protector = new CredentialProtector(Ring("a", ("a", ServerTestWorld.NewKey())));
        var server = Guid.NewGuid();
        var sealedOnce = protector.Protect(Token, server);
        var sealedTwice = protector.Protect(Token, server);
        Assert.Equal("a", sealedOnce.KeyId);
        Assert.NotEqual(sealedOnce.Ciphertext, sealedTwice.Ciphertext);
        Assert.Equal(Token, protector.Unprotect(sealedOnce, server));
        Assert.Throws<CredentialUnavailableException>(() => protector.Unprotect(sealedOnce, Guid.NewGuid()));

        var tampered = (byte[])sealedOnce.Ciphertext.Clone();
        tampered[^1] ^= 1;
        Assert.Throws<CredentialUnavailableException>(() => protector.Unprotect(sealedOnce with { Ciphertext = tampered }, server));
    }

    [Fact]
    public void A_token_sealed_with_a_key_that_is_no_longer_configured_names_that_key()
    {
        var old = ServerTestWorld.NewKey();
        var server = Guid.NewGuid();
        var sealedOld = new CredentialProtector(Ring("old", ("old", old))).Protect(Token, server);
        var rotated = new CredentialProtector(Ring("new", ("old", old), ("new", ServerTestWorld.NewKey())));
        Assert.False(rotated.IsCurrent(sealedOld));
        Assert.Equal(Token, rotated.Unprotect(sealedOld, server));
        var withoutOld = new CredentialProtector(Ring("new", ("new", ServerTestWorld.NewKey())));
        var error = Assert.Throws<CredentialUnavailableException>(() => withoutOld.Unprotect(sealedOld, server));
        Assert.Contains("'old'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing", "Nexus:Credentials:ActiveKeyId")]
    [InlineData("", "Nexus:Credentials:ActiveKeyId")]
    public void An_active_key_id_that_names_no_key_stops_the_start_naming_the_setting(string active, string setting)
    {
        var error = Assert.Throws<NexusStartupException>(() => Ring(active, ("a", ServerTestWorld.NewKey()), ("b", ServerTestWorld.NewKey())));
        Assert.StartsWith(setting + ":", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_of_the_wrong_length_stops_the_start_naming_the_key()
    {
        var error = Assert.Throws<NexusStartupException>(() => Ring("a", ("a", Convert.ToBase64String(new byte[16]))));
        Assert.StartsWith("Nexus:Credentials:Keys:a:", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
