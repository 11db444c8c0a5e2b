using System.Data;
using Npgsql;

namespace Nexus.Tests.Data;

/// <summary>
/// The Orleans ADO.NET contract as the 10.4.2 providers use it: each query is read from OrleansQuery by key and
/// run with the parameter names and DbTypes the providers bind. These pin the conditional-write semantics
/// (optimistic versions, all-or-nothing membership changes) that a happy-path silo run does not exercise.
/// </summary>
public sealed class OrleansContractTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private static readonly DateTime Now = new(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);

    [Fact]
    public async Task Membership_writes_with_a_stale_version_or_a_duplicate_silo_change_nothing()
    {
        var cluster = "c-" + Guid.NewGuid().ToString("N");
        Assert.Equal(1, await ScalarAsync("InsertMembershipVersionKey", ("DeploymentId", cluster)));
        Assert.Equal(0, await ScalarAsync("InsertMembershipVersionKey", ("DeploymentId", cluster)));

        Assert.Equal(1, await ScalarAsync("InsertMembershipKey", Silo(cluster, 1000, version: 0)));
        Assert.Equal(0, await ScalarAsync("InsertMembershipKey", Silo(cluster, 1001, version: 0)));
        Assert.Equal(0, await ScalarAsync("InsertMembershipKey", Silo(cluster, 1000, version: 1)));
        Assert.Equal(1, await TableVersionAsync(cluster));

        Assert.Equal(0, await ScalarAsync("UpdateMembershipKey", Update(cluster, 1002, status: 3, version: 1)));
        Assert.Equal(1, await TableVersionAsync(cluster));
        Assert.Equal(1, await ScalarAsync("UpdateMembershipKey", Update(cluster, 1000, status: 3, version: 1)));
        Assert.Equal(2, await TableVersionAsync(cluster));

        await ExecuteAsync("UpdateIAmAlivetimeKey",
            ("DeploymentId", cluster), Address(), ("Port", 1000), ("Generation", 7), ("IAmAliveTime", Now.AddMinutes(1)));
        Assert.Equal(2, await TableVersionAsync(cluster));

        var rows = await RowsAsync("MembershipReadAllKey", ("DeploymentId", cluster));
        var row = Assert.Single(rows);
        Assert.Equal(3, row["status"]);
        Assert.Equal(Now.AddMinutes(1), row["iamalivetime"]);
        Assert.Equal(2, row["version"]);

        var missing = Assert.Single(await RowsAsync("MembershipReadRowKey",
            ("DeploymentId", cluster), Address(), ("Port", 9999), ("Generation", 7)));
        Assert.Equal(DBNull.Value, missing["starttime"]);
        Assert.Equal(2, missing["version"]);
    }

    [Fact]
    public async Task Dead_silo_row_is_cleaned_up_only_while_it_is_as_the_cleaner_read_it()
    {
        var cluster = "c-" + Guid.NewGuid().ToString("N");
        await ScalarAsync("InsertMembershipVersionKey", ("DeploymentId", cluster));
        await ScalarAsync("InsertMembershipKey", Silo(cluster, 2000, version: 0));
        await ScalarAsync("UpdateMembershipKey", Update(cluster, 2000, status: 6, version: 1));
        (string, object?)[] seen =
        [
            ("DeploymentId", cluster), Address(), ("Port", 2000), ("Generation", 7), ("SuspectTimes", null),
            ("StartTime", Now), ("IAmAliveTime", Now),
        ];

        // A heartbeat landed after the cleaner's read: the row stays.
        await ExecuteAsync("UpdateIAmAlivetimeKey",
            ("DeploymentId", cluster), Address(), ("Port", 2000), ("Generation", 7), ("IAmAliveTime", Now.AddSeconds(1)));
        Assert.Equal(0, await ExecuteAsync("CleanupDefunctSiloEntryKey", seen));

        seen[^1] = ("IAmAliveTime", Now.AddSeconds(1));
        Assert.Equal(1, await ExecuteAsync("CleanupDefunctSiloEntryKey", seen));
    }

    [Fact]
    public async Task Grain_state_versions_reject_stale_writers_and_racing_first_writes()
    {
        var key = StateKey("grain-" + Guid.NewGuid().ToString("N"));

        var racers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            ScalarAsync("WriteToStorageKey", [.. key, ("GrainStateVersion", (int?)null), ("PayloadBinary", new byte[] { 1 })])));
        Assert.Equal(1, racers.Count(version => version == 1));
        Assert.Equal(7, racers.Count(version => version is null));

        Assert.Equal(2, await ScalarAsync("WriteToStorageKey", [.. key, ("GrainStateVersion", 1), ("PayloadBinary", new byte[] { 2 })]));
        Assert.Null(await ScalarAsync("WriteToStorageKey", [.. key, ("GrainStateVersion", 1), ("PayloadBinary", new byte[] { 3 })]));

        var read = Assert.Single(await RowsAsync("ReadFromStorageKey", key));
        Assert.Equal(new byte[] { 2 }, read["payloadbinary"]);
        Assert.Equal(2, read["version"]);

        Assert.Equal(3, await ScalarAsync("ClearStorageKey", [.. key, ("GrainStateVersion", 2)]));
        var cleared = Assert.Single(await RowsAsync("ReadFromStorageKey", key));
        Assert.Equal(DBNull.Value, cleared["payloadbinary"]);

        Assert.Equal(4, await ScalarAsync("DeleteStorageKey", [.. key, ("GrainStateVersion", 3)]));
        Assert.Empty(await RowsAsync("ReadFromStorageKey", key));

        // The key extension is part of the identity: NULL and "x" are two rows.
        var extended = StateKey(key[5].Value as string ?? "", extension: "x");
        Assert.Equal(1, await ScalarAsync("WriteToStorageKey", [.. extended, ("GrainStateVersion", (int?)null), ("PayloadBinary", new byte[] { 9 })]));
        Assert.Empty(await RowsAsync("ReadFromStorageKey", key));
    }

    [Fact]
    public async Task Reminders_upsert_bumps_the_etag_and_ring_ranges_wrap_around()
    {
        var service = "s-" + Guid.NewGuid().ToString("N");
        (string, object?)[] Reminder(string grain, string name, int hash) =>
        [
            ("ServiceId", service), ("GrainId", grain), ("ReminderName", name), ("StartTime", Now),
            ("Period", 60_000), ("GrainHash", hash),
        ];

        Assert.Equal(0, await ScalarAsync("UpsertReminderRowKey", Reminder("probe/a", "tick", -100)));
        Assert.Equal(1, await ScalarAsync("UpsertReminderRowKey", Reminder("probe/a", "tick", -100)));
        await ScalarAsync("UpsertReminderRowKey", Reminder("probe/b", "tick", 100));
        await ScalarAsync("UpsertReminderRowKey", Reminder("probe/c", "tick", int.MaxValue));

        var inside = await RowsAsync("ReadRangeRows1Key", ("ServiceId", service), ("BeginHash", -200), ("EndHash", 100));
        Assert.Equal(["probe/a", "probe/b"], inside.Select(row => (string)row["grainid"]).Order());
        var wrapped = await RowsAsync("ReadRangeRows2Key", ("ServiceId", service), ("BeginHash", 100), ("EndHash", -100));
        Assert.Equal(["probe/a", "probe/c"], wrapped.Select(row => (string)row["grainid"]).Order());
        var one = Assert.Single(await RowsAsync("ReadReminderRowKey", ("ServiceId", service), ("GrainId", "probe/a"), ("ReminderName", "tick")));
        Assert.Equal(60_000L, one["period"]);
        Assert.Equal(Now, one["starttime"]);

        (string, object?)[] delete = [("ServiceId", service), ("GrainId", "probe/a"), ("ReminderName", "tick"), ("Version", 0)];
        Assert.Equal(0, await ScalarAsync("DeleteReminderRowKey", delete));
        delete[^1] = ("Version", 1);
        Assert.Equal(1, await ScalarAsync("DeleteReminderRowKey", delete));
        await ExecuteAsync("DeleteReminderRowsKey", ("ServiceId", service));
        Assert.Empty(await RowsAsync("ReadReminderRowsKey", ("ServiceId", service), ("GrainId", "probe/b")));
    }

    private static (string, object?) Address() => ("Address", "127.0.0.1");

    private static (string, object?)[] Silo(string cluster, int port, int version) =>
    [
        ("DeploymentId", cluster), Address(), ("Port", port), ("Generation", 7), ("SiloName", "silo"),
        ("HostName", "host"), ("Status", 0), ("ProxyPort", 30000), ("StartTime", Now), ("IAmAliveTime", Now),
        ("Version", version),
    ];

    private static (string, object?)[] Update(string cluster, int port, int status, int version) =>
    [
        ("DeploymentId", cluster), Address(), ("Port", port), ("Generation", 7), ("Status", status),
        ("SuspectTimes", null), ("IAmAliveTime", Now), ("Version", version),
    ];

    private static (string Name, object? Value)[] StateKey(string type, string? extension = null) =>
    [
        ("GrainIdHash", type.Length), ("GrainIdN0", 0L), ("GrainIdN1", 0L), ("GrainTypeHash", 77),
        ("ServiceId", "svc"), ("GrainTypeString", type), ("GrainIdExtensionString", extension),
    ];

    private async Task<int> TableVersionAsync(string cluster) =>
        (int)(await RowsAsync("MembershipReadAllKey", ("DeploymentId", cluster)))[0]["version"];

    private async Task<int?> ScalarAsync(string key, params (string Name, object? Value)[] parameters)
    {
        var rows = await RowsAsync(key, parameters);
        return rows.Count == 0 || rows[0].Values.First() is DBNull ? null : Convert.ToInt32(rows[0].Values.First(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<int> ExecuteAsync(string key, params (string Name, object? Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = await CommandAsync(connection, key, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    private async Task<List<Dictionary<string, object>>> RowsAsync(string key, params (string Name, object? Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = await CommandAsync(connection, key, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object>>();
        while (await reader.ReadAsync())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, reader.GetValue));
        }
        return rows;
    }

    // Binds like Orleans' DbExtensions.CreateParameter: a DbType from the CLR type, addresses and grain ids as AnsiString.
    private static async Task<NpgsqlCommand> CommandAsync(NpgsqlConnection connection, string key, (string Name, object? Value)[] parameters)
    {
        await using var lookup = new NpgsqlCommand("SELECT QueryText FROM OrleansQuery WHERE QueryKey = @key", connection);
        lookup.Parameters.AddWithValue("key", key);
        var command = new NpgsqlCommand((string)(await lookup.ExecuteScalarAsync())!, connection);
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            parameter.DbType = name is "Address" or "GrainId" ? DbType.AnsiString : value switch
            {
                int => DbType.Int32,
                long => DbType.Int64,
                DateTime => DbType.DateTime,
                byte[] => DbType.Binary,
                _ when name is "GrainStateVersion" or "ProxyPort" => DbType.Int32,
                _ => DbType.String,
            };
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
