using Dapper;
using Npgsql;
using Nexus.Contracts.Hosting;
using Nexus.Tests.Data;
using Nexus.Tests.Support;

namespace Nexus.Tests.Cluster;

/// <summary>
/// Orleans' ADO.NET storage keys rows by state name and a parsed form of the key (orleans.md §7.1); these tests
/// show that our conventions (a state name per grain type, canonical non-hex keys) keep every grain's state apart.
/// </summary>
public sealed class StorageKeyTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private NexusTestHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await NexusTestHost.StartAsync(database.ConnectionString, "keys-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Two_grain_types_with_the_same_key_keep_separate_state_rows()
    {
        var key = "shared:" + Guid.NewGuid();
        await _host.Grains.GetGrain<IProbeCounterGrain>(key).Increment();
        await _host.Grains.GetGrain<IProbeCounterGrain>(key).Increment();
        await _host.Grains.GetGrain<IOtherCounterGrain>(key).Increment();

        Assert.Equal(2, (await _host.Grains.GetGrain<IProbeCounterGrain>(key).Read()).Value);
        Assert.Equal(1, (await _host.Grains.GetGrain<IOtherCounterGrain>(key).Read()).Value);
        Assert.Equal(1, await RowsAsync("probe-counter", key));
        Assert.Equal(1, await RowsAsync("other-counter", key));
    }

    [Fact]
    public async Task Guest_keys_that_differ_only_in_type_vmid_or_case_keep_separate_state_rows()
    {
        var server = Guid.NewGuid();
        string[] keys =
        [
            GrainKeys.Guest(server, "qemu", 100),
            GrainKeys.Guest(server, "lxc", 100),
            GrainKeys.Guest(server, "qemu", 256),
            GrainKeys.Guest(server, "qemu", 0x100 + 1),
            GrainKeys.Guest(Guid.NewGuid(), "qemu", 100),
        ];
        for (var i = 0; i < keys.Length; i++)
        {
            for (var n = 0; n <= i; n++)
            {
                await _host.Grains.GetGrain<IProbeCounterGrain>(keys[i]).Increment();
            }
        }

        for (var i = 0; i < keys.Length; i++)
        {
            // Deactivate so the value comes back from PostgreSQL, not from memory.
            var grain = _host.Grains.GetGrain<IProbeCounterGrain>(keys[i]);
            await grain.AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
        }
        await Task.Delay(500);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(i + 1, (await _host.Grains.GetGrain<IProbeCounterGrain>(keys[i]).Read()).Value);
            Assert.Equal(1, await RowsAsync("probe-counter", keys[i]));
        }
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0ABC")]
    [InlineData("100")]
    [InlineData("7c9e6679-7425-40de-944b-e07fc1f90ae7")]
    [InlineData("tenant+extension")]
    public void Keys_that_storage_would_confuse_are_refused(string key)
    {
        Assert.Throws<ArgumentException>(() => GrainKeys.Ensure(key));
    }

    // Reads the row the provider wrote: the string key is stored in GrainIdExtensionString when it is not parsed as a number.
    private async Task<int> RowsAsync(string stateName, string key)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        return await connection.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM orleansstorage WHERE graintypestring = @stateName AND grainidextensionstring = @key",
            new { stateName, key });
    }
}
