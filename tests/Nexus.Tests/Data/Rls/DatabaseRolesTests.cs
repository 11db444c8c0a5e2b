using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Nexus.Data;
using Nexus.Data.Access;
using Npgsql;

namespace Nexus.Tests.Data.Rls;

public sealed class DatabaseRolesTests : IAsyncLifetime
{
    private readonly DatabaseFixture database = new();

    public Task InitializeAsync() => database.InitializeAsync();

    public Task DisposeAsync() => database.DisposeAsync();

    [Fact]
    public async Task Preparing_again_gives_the_same_working_logins_so_silos_sharing_a_database_agree()
    {
        var first = await DatabaseRoles.PrepareAsync(database.ConnectionString, new NexusDatabaseOptions(), NullLogger.Instance, CancellationToken.None);
        var second = await DatabaseRoles.PrepareAsync(database.ConnectionString, new NexusDatabaseOptions(), NullLogger.Instance, CancellationToken.None);

        Assert.Equal(first.AppConnectionString, second.AppConnectionString);
        Assert.Equal(first.WorkerConnectionString, second.WorkerConnectionString);
        await using var app = new NpgsqlConnection(first.AppConnectionString);
        await app.OpenAsync();
        Assert.Equal("nexus_app", await app.ExecuteScalarAsync<string>("SELECT current_user::text"));
    }

    [Fact]
    public async Task A_configured_role_that_bypasses_row_level_security_is_refused_at_start_up()
    {
        var owner = new NexusDatabaseOptions { AppConnectionString = database.ConnectionString, WorkerConnectionString = database.ConnectionString };

        var refused = await Assert.ThrowsAsync<NexusStartupException>(() =>
            DatabaseRoles.PrepareAsync(database.ConnectionString, owner, NullLogger.Instance, CancellationToken.None));

        Assert.StartsWith(NexusDatabaseOptions.AppConnectionStringSetting, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_connection_strings_come_as_a_pair()
    {
        var half = new NexusDatabaseOptions { AppConnectionString = "Host=127.0.0.1;Username=nexus_app;Password=x" };

        var refused = await Assert.ThrowsAsync<NexusStartupException>(() =>
            DatabaseRoles.PrepareAsync(database.ConnectionString, half, NullLogger.Instance, CancellationToken.None));

        Assert.Equal($"{NexusDatabaseOptions.WorkerConnectionStringSetting}: required", refused.Message);
    }

    [Fact]
    public async Task Configured_role_connection_strings_are_used_as_given()
    {
        var derived = await DatabaseRoles.PrepareAsync(database.ConnectionString, new NexusDatabaseOptions(), NullLogger.Instance, CancellationToken.None);
        var configured = new NexusDatabaseOptions { AppConnectionString = derived.AppConnectionString, WorkerConnectionString = derived.WorkerConnectionString };

        var used = await DatabaseRoles.PrepareAsync(database.ConnectionString, configured, NullLogger.Instance, CancellationToken.None);

        Assert.Same(configured, used);
    }
}
