using Nexus.Proxmox.Api.Json;
using Nexus.Proxmox.Api.Models;
using Nexus.Proxmox.Connections;

namespace Nexus.Proxmox.Tests.Api;

public class ProxmoxJsonTests
{
    [Fact]
    public void Integer_booleans_and_true_false_both_read_as_booleans()
    {
        var entries = ProxmoxJson.ReadData<List<ClusterStatusEntry>>("""
            {"data":[{"type":"cluster","id":"cluster","name":"c","nodes":2,"version":4,"quorate":1},
                     {"type":"node","id":"node/pve1","name":"pve1","nodeid":1,"ip":"10.0.0.1","local":true,"online":0,"level":""}]}
            """);

        Assert.True(entries[0].Quorate);
        Assert.Equal(2, entries[0].Nodes);
        Assert.True(entries[1].Local);
        Assert.False(entries[1].Online);
    }

    [Fact]
    public void A_port_sent_as_a_string_reads_as_a_number()
    {
        var ticket = ProxmoxJson.ReadData<VncProxyTicket>("""
            {"data":{"user":"root@pam!portal","ticket":"Ab3$k9=Q:PVEVNC:66A1B2C3::sig","password":"Ab3$k9=Q","cert":"-----BEGIN CERTIFICATE-----\n","port":"5900","upid":"UPID:pve1:002F1A3B:0A1B2C3D:66A1B2C3:vncproxy:100:root@pam!portal:"}}
            """);

        Assert.Equal(5900, ticket.Port);
        Assert.Equal("Ab3$k9=Q", ticket.VncPassword);
    }

    [Fact]
    public void A_legacy_ticket_without_password_is_its_own_vnc_password()
    {
        var ticket = ProxmoxJson.ReadData<VncProxyTicket>("""{"data":{"user":"u","ticket":"PVEVNC:66A1B2C3::sig","port":5901,"upid":"x"}}""");

        Assert.Equal(5901, ticket.Port);
        Assert.Equal("PVEVNC:66A1B2C3::sig", ticket.VncPassword);
        Assert.DoesNotContain("PVEVNC", ticket.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Task_ids_sent_as_numbers_read_as_strings_and_absent_fields_stay_null()
    {
        var status = ProxmoxJson.ReadData<ProxmoxTaskStatus>("""
            {"data":{"upid":"UPID:pve1:002F1A3B:0A1B2C3D:66A1B2C3:qmstart:100:root@pam:","node":"pve1","pid":3085819,
                     "pstart":284768076,"starttime":1661825068,"type":"qmstart","id":100,"user":"root@pam","status":"running"}}
            """);

        Assert.Equal("100", status.Id);
        Assert.True(status.IsRunning);
        Assert.Null(status.ExitStatus);
        Assert.Null(status.TokenId);
        Assert.False(status.Succeeded);
    }

    [Fact]
    public void Numeric_strings_full_precision_floats_and_unknown_fields_are_tolerated()
    {
        var resources = ProxmoxJson.ReadData<List<ClusterResource>>("""
            {"data":[{"id":"qemu/100","type":"qemu","vmid":"100","node":"pve2","name":"server1","status":"running",
              "uptime":874350,"cpu":0.0249060195469461,"maxcpu":1.5,"mem":"842551296","maxmem":1073741824,
              "template":0,"tags":"prod;web","hastate":"started","brand-new-field":{"x":1}},
              {"id":"storage/pve1/local-zfs","storage":"local-zfs","node":"pve1","type":"storage","plugintype":"zfspool",
               "status":"available","shared":0,"content":"images,rootdir","disk":98304,"maxdisk":479730032640}]}
            """);

        var vm = resources[0];
        Assert.Equal(100, vm.VmId);
        Assert.Equal(0.0249060195469461, vm.Cpu);
        Assert.Equal(1.5, vm.MaxCpu);
        Assert.Equal(842551296, vm.Mem);
        Assert.False(vm.Template);
        Assert.Equal(["prod", "web"], vm.TagList);
        Assert.True(vm.IsGuest);
        Assert.Null(vm.Pool);
        Assert.False(resources[1].Shared);
        Assert.Equal(479730032640, resources[1].MaxDisk);
    }

    [Fact]
    public void Guest_status_reads_the_ha_object_and_prefers_the_qmp_state()
    {
        var status = ProxmoxJson.ReadData<GuestStatus>("""
            {"data":{"vmid":101,"name":"matt","status":"running","qmpstatus":"paused","ha":{"managed":1,"state":"started"},"agent":1,"cpus":8}}
            """);

        Assert.Equal("paused", status.RunState);
        Assert.True(status.Ha!.Managed);
        Assert.True(status.Agent);
        Assert.Equal(8, status.Cpus);
    }

    [Fact]
    public void Rrd_rows_keep_present_values_and_skip_a_time_only_row()
    {
        using var document = System.Text.Json.JsonDocument.Parse("""
            [{"time":1700000000,"cpu":0.12,"maxmem":2147483648,"netin":1234.56789},
             {"time":1700000060,"maxcpu":2,"maxmem":2147483648,"disk":0},
             {"time":1700000120}]
            """);

        var points = ProxmoxConnection.ReadRrd(document.RootElement);

        Assert.Equal(3, points.Count);
        Assert.Equal(0.12, points[0].Cpu);
        Assert.Equal(1234.56789, points[0].NetIn);
        Assert.Null(points[1].Cpu);
        Assert.Empty(points[2].Values);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000060), points[1].Time);
    }

    [Fact]
    public void Error_bodies_yield_message_and_errors_and_an_empty_401_body_yields_nothing()
    {
        var (message, errors) = ProxmoxJson.ReadError("""
            {"data":null,"errors":{"vmid":"invalid format - value does not look like a valid VM ID\n"},"message":"Parameter verification failed.\n"}
            """);
        var (none, noErrors) = ProxmoxJson.ReadError("");

        Assert.Equal("Parameter verification failed.", message);
        Assert.Equal("invalid format - value does not look like a valid VM ID", errors!["vmid"]);
        Assert.Null(none);
        Assert.Null(noErrors);
    }

    [Theory]
    [InlineData("""{"success":1}""")]
    [InlineData("""{"data":null}""")]
    [InlineData("""[{"data":{"version":"9.1"}}]""")]
    [InlineData("""null""")]
    public void A_body_without_usable_data_is_a_json_error_not_a_default_value(string body)
    {
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => ProxmoxJson.ReadData<ProxmoxVersionInfo>(body));
    }

    [Fact]
    public void Data_is_read_from_utf8_bytes_with_members_around_it_skipped()
    {
        var version = ProxmoxJson.ReadData<ProxmoxVersionInfo>("""{"success":1,"data":{"version":"9.1.2","release":"9.1"},"message":"ok"}"""u8);

        Assert.Equal("9.1.2", version.Version);
    }
}
