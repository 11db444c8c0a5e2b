using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nexus.Host.Stats;

namespace Nexus.Tests.Grains;

/// <summary>Connection metrics are kept 30 days.</summary>
public sealed class MetricsRetentionTests : IAsyncLifetime
{
    private GrainWorld _world = null!;

    public async Task InitializeAsync() => _world = await GrainWorld.StartAsync(clusters: 1, guests: 4);

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task Rows_older_than_30_days_are_deleted_and_newer_ones_kept()
    {
        var tenant = await _world.NewTenantAsync("Retention");
        var server = await _world.AddServerAsync(tenant, _world.Simulator.Clusters[0]);
        await using (var connection = new Npgsql.NpgsqlConnection(_world.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new Npgsql.NpgsqlCommand(
                """
                INSERT INTO nexus.connection_metrics (server_id, tenant_id, at, kind, success, latency_ms, endpoint)
                VALUES (@s, @t, now() - interval '31 days', 'probe', true, 12, 'primary'),
                       (@s, @t, now() - interval '29 days', 'probe', true, 12, 'primary')
                """, connection);
            insert.Parameters.AddWithValue("s", server);
            insert.Parameters.AddWithValue("t", tenant);
            await insert.ExecuteNonQueryAsync();
        }
        var retention = _world.App.Services.GetServices<IHostedService>().OfType<MetricsRetention>().Single();

        Assert.Equal(1, await retention.RunOnceAsync(CancellationToken.None));

        await using var check = new Npgsql.NpgsqlConnection(_world.ConnectionString);
        await check.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE at < now() - interval '30 days'), count(*) FILTER (WHERE kind = 'probe') FROM nexus.connection_metrics WHERE server_id = @s", check);
        count.Parameters.AddWithValue("s", server);
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(0, reader.GetInt64(0));
        Assert.Equal(1, reader.GetInt64(1));
    }
}
