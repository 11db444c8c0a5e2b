using Nexus.Proxmox.Api.Models;

namespace Nexus.Proxmox.Tests.Api;

public class UpidTests
{
    [Fact]
    public void A_token_started_upid_is_decoded_into_its_fields()
    {
        var upid = Upid.Parse("UPID:pve1:002F1A3B:0A1B2C3D:66A1B2C3:qmstart:100:root@pam!portal:");

        Assert.Equal("pve1", upid.Node);
        Assert.Equal(0x002F1A3Bu, upid.Pid);
        Assert.Equal(0x0A1B2C3DUL, upid.ProcessStart);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(0x66A1B2C3), upid.StartTime);
        Assert.Equal("qmstart", upid.Type);
        Assert.Equal("100", upid.Id);
        Assert.Equal("root@pam", upid.User);
        Assert.Equal("portal", upid.TokenName);
    }

    [Fact]
    public void A_node_task_with_an_empty_id_and_a_nine_digit_pstart_parses()
    {
        var upid = Upid.Parse("UPID:pve-node-2:00001234:1A1B2C3D4:66A1B2C3:vncshell::root@pam:");

        Assert.Equal("pve-node-2", upid.Node);
        Assert.Equal(string.Empty, upid.Id);
        Assert.Null(upid.TokenName);
    }

    [Fact]
    public void The_path_segment_escapes_colons_and_the_token_separator()
    {
        var upid = Upid.Parse("UPID:pve1:002F1A3B:0A1B2C3D:66A1B2C3:qmstart:100:root@pam!portal:");

        Assert.Equal("UPID%3Apve1%3A002F1A3B%3A0A1B2C3D%3A66A1B2C3%3Aqmstart%3A100%3Aroot%40pam%21portal%3A", upid.PathSegment);
        Assert.Equal("UPID:pve1:002F1A3B:0A1B2C3D:66A1B2C3:qmstart:100:root@pam!portal:", upid.ToString());
    }

    [Theory]
    [InlineData("UPID:pve1:002F1A3B:0A1B2C3D:66A1B2C3:qmstart:100:root@pam")]
    [InlineData("UPID:pve1:2F1A3B:0A1B2C3D:66A1B2C3:qmstart:100:root@pam:")]
    [InlineData("UPID:-pve1:002F1A3B:0A1B2C3D:66A1B2C3:qmstart:100:root@pam:")]
    [InlineData("not a upid")]
    public void Malformed_upids_are_refused(string value)
    {
        Assert.False(Upid.TryParse(value, out _));
        Assert.Throws<FormatException>(() => Upid.Parse(value));
    }
}
