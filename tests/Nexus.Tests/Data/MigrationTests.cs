using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Nexus.Data.Migrations;
using Npgsql;

namespace Nexus.Tests.Data;

public sealed class MigrationTests
{
    // Every embedded script, in the order DbUp must apply them (ordinal by name).
    private static readonly string[] Scripts = typeof(DatabaseMigrator).Assembly.GetManifestResourceNames()
        .Where(name => name.StartsWith("sql/", StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToArray();

    private static readonly string[] OrleansAndBaseScripts =
    [
        "sql/0001_orleans_main.sql",
        "sql/0002_orleans_clustering.sql",
        "sql/0003_orleans_persistence.sql",
        "sql/0004_orleans_reminders.sql",
        "sql/0100_nexus_schema.sql",
    ];

    [Fact]
    public async Task Migrations_apply_in_order_on_an_empty_database_and_a_second_run_applies_nothing()
    {
        var connectionString = await TestPostgres.CreateEmptyDatabaseAsync();

        await DatabaseMigrator.MigrateAsync(connectionString, NullLogger.Instance, CancellationToken.None);
        var first = await JournalAsync(connectionString);
        await DatabaseMigrator.MigrateAsync(connectionString, NullLogger.Instance, CancellationToken.None);
        var second = await JournalAsync(connectionString);

        Assert.Equal(OrleansAndBaseScripts, Scripts.Take(OrleansAndBaseScripts.Length));
        Assert.Equal(Scripts, first.Select(row => row.ScriptName));
        Assert.Equal(first, second);
        await using var connection = new NpgsqlConnection(connectionString);
        var tables = await connection.QueryAsync<string>(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
        Assert.Superset(
            new HashSet<string>
            {
                "public.orleansquery", "public.orleansmembershipversiontable", "public.orleansmembershiptable",
                "public.orleansstorage", "public.orleansreminderstable",
            },
            tables.ToHashSet());
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'nexus'"));
    }

    [Fact]
    public async Task Four_silos_migrating_a_missing_database_at_once_create_it_and_apply_each_script_once()
    {
        var server = await TestPostgres.GetAsync();
        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = TestPostgres.NewDatabaseName() }.ConnectionString;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => DatabaseMigrator.MigrateAsync(connectionString, NullLogger.Instance, CancellationToken.None))));

        var journal = await JournalAsync(connectionString);
        Assert.Equal(Scripts, journal.Select(row => row.ScriptName));
    }

    [Fact]
    public async Task Orleans_query_catalogue_holds_exactly_the_keys_the_10_4_2_providers_read()
    {
        var connectionString = await TestPostgres.CreateEmptyDatabaseAsync();
        await DatabaseMigrator.MigrateAsync(connectionString, NullLogger.Instance, CancellationToken.None);

        await using var connection = new NpgsqlConnection(connectionString);
        var keys = await connection.QueryAsync<string>("SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey COLLATE \"C\"");

        string[] expected =
        [
            // Clustering (DbStoredQueries; CleanupDefunctSiloEntryKey is the optional 10.4.2 per-row cleanup).
            "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey", "DeleteMembershipTableEntriesKey",
            "GatewaysQueryKey", "InsertMembershipKey", "InsertMembershipVersionKey", "MembershipReadAllKey",
            "MembershipReadRowKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey",
            // Persistence (AdoNetGrainStorage; DeleteStorageKey backs DeleteStateOnClear).
            "ClearStorageKey", "DeleteStorageKey", "ReadFromStorageKey", "WriteToStorageKey",
            // Reminders.
            "DeleteReminderRowKey", "DeleteReminderRowsKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
            "ReadReminderRowKey", "ReadReminderRowsKey", "UpsertReminderRowKey",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), keys);
    }

    private static async Task<List<JournalRow>> JournalAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        var rows = await connection.QueryAsync<JournalRow>(
            $"SELECT scriptname AS ScriptName, applied AS Applied FROM public.{DatabaseMigrator.JournalTable} ORDER BY schemaversionsid");
        return rows.ToList();
    }

    private sealed record JournalRow(string ScriptName, DateTime Applied);
}
