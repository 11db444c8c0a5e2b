using Nexus.Simulator.Consoles.Rfb;

namespace Nexus.Simulator.Tests.Consoles;

public sealed class VncAuthenticationTests
{
    [Fact]
    public void Des_matches_the_fips_81_example_once_the_key_bits_are_mirrored()
    {
        // FIPS 81 / "Now is t": key 0123456789ABCDEF, plaintext 4E6F772069732074 → 3FA40E8A984D4815.
        // VNC mirrors each key byte, so the password holding the mirrored bytes must produce that key.
        var password = System.Text.Encoding.Latin1.GetString([0x80, 0xC4, 0xA2, 0xE6, 0x91, 0xD5, 0xB3, 0xF7]);
        var block = Convert.FromHexString("4E6F772069732074");

        var response = VncAuthentication.Encrypt(password, [.. block, .. block]);

        Assert.Equal("3FA40E8A984D48153FA40E8A984D4815", Convert.ToHexString(response));
    }

    [Fact]
    public void Only_the_first_8_password_characters_count()
    {
        var challenge = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();

        Assert.Equal(VncAuthentication.Encrypt("Ab3$k9=Q", challenge), VncAuthentication.Encrypt("Ab3$k9=Q:PVEVNC:66A1B2C3::sig", challenge));
        Assert.True(VncAuthentication.Verify("Ab3$k9=Q", challenge, RfbTestClient.DesResponse("Ab3$k9=Q", challenge)));
        Assert.False(VncAuthentication.Verify("Ab3$k9=Q", challenge, RfbTestClient.DesResponse("Ab3$k9=R", challenge)));
    }
}
