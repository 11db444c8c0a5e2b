using System.Net;
using Nexus.Simulator.Clusters;
using Nexus.Simulator.Hosting;
using Nexus.Simulator.Tests.Support;

namespace Nexus.Simulator.Tests.Api;

public sealed class ErrorFormatTests(SimulatorFixture fixture) : IClassFixture<SimulatorFixture>
{
    [Fact]
    public async Task Unknown_method_is_501_with_the_method_in_the_message()
    {
        using var client = fixture.Client();
        using var response = await Pve.GetAsync(client, "foo/bar", fixture.RootToken);
        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
        Assert.Equal("Method 'GET /foo/bar' not implemented", response.ReasonPhrase);
        Assert.Equal("{\"data\":null,\"message\":\"Method 'GET /foo/bar' not implemented\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_path_without_credentials_is_401_not_501()
    {
        using var client = fixture.Client();
        using var response = await client.GetAsync("foo/bar");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Invalid_vmid_is_400_with_errors_message_and_reason_phrase()
    {
        using var client = fixture.Client();
        using var response = await Pve.GetAsync(client, "nodes/pve1/qemu/42/status/current", fixture.RootToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Parameter verification failed.", response.ReasonPhrase);
        Assert.Equal(
            "{\"data\":null,\"errors\":{\"vmid\":\"invalid format - value does not look like a valid VM ID\\n\"},\"message\":\"Parameter verification failed.\\n\"}",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_and_missing_parameters_are_all_reported()
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "qemu");
        using var response = await Pve.GetAsync(client, $"nodes/{guest.Node}/qemu/{guest.Vmid}/rrddata?foo=1", fixture.RootToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await Pve.BodyAsync(response))["errors"]!;
        Assert.Equal("property is missing and it is not optional", errors["timeframe"]!.GetValue<string>());
        Assert.Equal("property is not defined in schema and the schema does not allow additional properties", errors["foo"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_guest_on_another_node_is_500_configuration_file_does_not_exist()
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "qemu");
        var other = fixture.Cluster.NodeNames.First(n => n != guest.Node);
        using var response = await Pve.GetAsync(client, $"nodes/{other}/qemu/{guest.Vmid}/status/current", fixture.RootToken);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var message = $"Configuration file 'nodes/{other}/qemu-server/{guest.Vmid}.conf' does not exist";
        Assert.Equal(message, response.ReasonPhrase);
        Assert.Equal(message + "\n", (await Pve.BodyAsync(response))["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Error_responses_close_the_connection_and_successes_keep_it()
    {
        using var client = fixture.Client();
        using var ok = await Pve.GetAsync(client, "version", fixture.RootToken);
        Assert.False(ok.Headers.ConnectionClose ?? false);
        Assert.Equal("pve-api-daemon/3.0", ok.Headers.Server.ToString());
        Assert.Equal("application/json;charset=UTF-8", ok.Content.Headers.ContentType!.ToString().Replace(" ", ""));
        using var bad = await Pve.GetAsync(client, "nodes/pve1/qemu/1/status/current", fixture.RootToken);
        Assert.True(bad.Headers.ConnectionClose);
    }

    [Fact]
    public async Task Unknown_resource_type_is_rejected_with_the_enumeration()
    {
        using var client = fixture.Client();
        using var response = await Pve.GetAsync(client, "cluster/resources?type=qemu", fixture.RootToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("value 'qemu' does not have a value in the enumeration 'vm, storage, node, sdn'",
            (await Pve.BodyAsync(response))["errors"]!["type"]!.GetValue<string>());
    }
}

public sealed class LegacyErrorFixture : SimulatorFixture
{
    protected override void Configure(SimulatorOptions options) =>
        options.Profile = new ClusterProfile(PveVersion: "8.3.5", LegacyErrorBody: true);
}

public sealed class LegacyErrorFormatTests(LegacyErrorFixture fixture) : IClassFixture<LegacyErrorFixture>
{
    [Fact]
    public async Task Before_libpve_http_server_5_2_errors_carry_no_message_only_the_reason_phrase()
    {
        using var client = fixture.Client();
        var guest = fixture.Guest(g => g.Type == "qemu");
        var other = fixture.Cluster.NodeNames.First(n => n != guest.Node);
        using var response = await Pve.GetAsync(client, $"nodes/{other}/qemu/{guest.Vmid}/status/current", fixture.RootToken);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("{\"data\":null}", await response.Content.ReadAsStringAsync());
        Assert.StartsWith("Configuration file", response.ReasonPhrase);
        Assert.Equal("8.3.5", (await Pve.GetDataAsync(client, "version", fixture.RootToken))!["version"]!.GetValue<string>());
    }
}
