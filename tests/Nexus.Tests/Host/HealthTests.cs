using System.Net;
using Npgsql;
using Nexus.Tests.Data;
using Nexus.Tests.Support;

namespace Nexus.Tests.Host;

public sealed class HealthTests
{
    [Fact]
    public async Task Readiness_is_503_while_the_database_is_unreachable_and_200_again_when_it_returns()
    {
        var server = await TestPostgres.GetAsync();
        var database = TestPostgres.NewDatabaseName();
        var connectionString = await server.CreateDatabaseAsync(database, CancellationToken.None);
        await using var host = await NexusTestHost.StartAsync(connectionString, "health-" + Guid.NewGuid().ToString("N")[..8]);

        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/readyz")).StatusCode);

        await using (var admin = new NpgsqlConnection(server.ConnectionString))
        {
            await admin.OpenAsync();
            await Exec(admin, $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false");
            await Exec(admin, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'");
        }
        NpgsqlConnection.ClearAllPools();

        var down = await host.Http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.Contains("database", await down.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/healthz")).StatusCode);

        await using (var admin = new NpgsqlConnection(server.ConnectionString))
        {
            await admin.OpenAsync();
            await Exec(admin, $"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true");
        }
        await Eventually.ResultAsync(async () =>
        {
            var up = await host.Http.GetAsync("/readyz");
            return up.StatusCode == HttpStatusCode.OK ? up : throw new InvalidOperationException($"/readyz {up.StatusCode}");
        }, TimeSpan.FromSeconds(30), "/readyz answers 200 again");
    }

    private static async Task Exec(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
