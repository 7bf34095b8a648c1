using System.Data.Common;
using System.Text;
using FastScore.Streams.Transports;
using Microsoft.Data.Sqlite;
using Npgsql;
using static FastScore.Streams.Odbc.Tests.OdbcTestDatabases;

namespace FastScore.Streams.Odbc.Tests;

/// <summary>The ODBC transport against SQLite (libsqliteodbc) and PostgreSQL (odbc-postgresql), and through ADO.NET providers.</summary>
[Category("Integration")]
public sealed class OdbcTransportTests
{
    private string _file = "";

    [SetUp]
    public void SetUp() => _file = SqliteFile();

    [TearDown]
    public void TearDown() => File.Delete(_file);

    private static CancellationToken Guard() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    private static async Task<List<string>> ReadAllAsync(OdbcSettings settings)
    {
        await using var input = new OdbcInput(settings);
        await input.OpenAsync(null, Guard());
        var records = new List<string>();
        var batch = new List<InputMessage>();
        while (await input.ReadAsync(batch, 1024, Guard()))
        {
            records.AddRange(batch.Select(m => Encoding.UTF8.GetString(m.Payload.Span)));
            batch.Clear();
        }

        return records;
    }

    private static async Task WriteAsync(OdbcSettings settings, params string[][] batches)
    {
        await using var output = new OdbcOutput(settings);
        await output.OpenAsync(Guard());
        foreach (string[] batch in batches)
        {
            await output.WriteAsync([.. batch.Select(r => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(r))], Guard());
        }

        await output.FlushAsync(Guard());
        await output.CompleteAsync(Guard());
    }

    [Test]
    public async Task Sqlite_select_makes_each_row_a_json_object_with_typed_values()
    {
        Execute(Sqlite(_file),
            "CREATE TABLE iris (id INTEGER, sepal REAL, species TEXT, note TEXT)",
            "INSERT INTO iris VALUES (1, 5.1, 'setosa', NULL)",
            "INSERT INTO iris VALUES (2, 6.9, 'virginica', 'say \"hi\"')");
        List<string> records = await ReadAllAsync(new OdbcSettings { StreamName = "in", ConnectionString = Sqlite(_file), SelectQuery = "SELECT id, sepal, species, note FROM iris ORDER BY id" });
        Assert.That(records, Is.EqualTo(new[]
        {
            "{\"id\":1,\"sepal\":5.1,\"species\":\"setosa\",\"note\":null}",
            "{\"id\":2,\"sepal\":6.9,\"species\":\"virginica\",\"note\":\"say \\u0022hi\\u0022\"}",
        }));
    }

    [Test]
    public async Task Sqlite_select_of_many_rows_is_delivered_in_batches_in_order()
    {
        Execute(Sqlite(_file), "CREATE TABLE t (n INTEGER)", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000) INSERT INTO t SELECT x FROM c");
        List<string> records = await ReadAllAsync(new OdbcSettings { StreamName = "in", ConnectionString = Sqlite(_file), SelectQuery = "SELECT n FROM t ORDER BY n" });
        Assert.That(records, Is.EqualTo(Enumerable.Range(1, 5000).Select(i => $"{{\"n\":{i}}}")));
    }

    [Test]
    public async Task Sqlite_insert_maps_fields_to_the_output_columns_by_name_and_commits_each_batch()
    {
        Execute(Sqlite(_file), "CREATE TABLE scores (id INTEGER, score REAL, label TEXT)");
        var settings = new OdbcSettings { StreamName = "out", ConnectionString = Sqlite(_file), InsertIntoTable = "scores", OutputFields = ["id", "score", "label"] };
        await WriteAsync(settings,
            ["{\"label\": \"a\", \"id\": 1, \"score\": 0.5, \"extra\": [1, 2]}", "{\"id\": 2, \"score\": 1e2}"],
            ["{\"id\": 3, \"label\": null, \"score\": -1.25}"]);
        List<object?[]> rows = Query(Sqlite(_file), "SELECT id, score, label FROM scores ORDER BY id");
        Assert.That(rows, Is.EqualTo(new[]
        {
            new object?[] { 1L, 0.5, "a" },
            new object?[] { 2L, 100.0, null },
            new object?[] { 3L, -1.25, null },
        }));
    }

    [Test]
    public async Task Without_output_fields_the_first_records_fields_are_the_columns()
    {
        Execute(Sqlite(_file), "CREATE TABLE t (a INTEGER, b TEXT)");
        await WriteAsync(new OdbcSettings { StreamName = "out", ConnectionString = Sqlite(_file), InsertIntoTable = "t" }, ["{\"a\": 1, \"b\": \"x\"}", "{\"b\": \"y\", \"a\": 2}"]);
        Assert.That(Query(Sqlite(_file), "SELECT a, b FROM t ORDER BY a"), Is.EqualTo(new[] { new object?[] { 1L, "x" }, new object?[] { 2L, "y" } }));
    }

    [Test]
    public void A_sql_syntax_error_names_the_stream_and_SelectQuery()
    {
        Execute(Sqlite(_file), "CREATE TABLE t (a INTEGER)");
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await ReadAllAsync(new OdbcSettings { StreamName = "rows", ConnectionString = Sqlite(_file), SelectQuery = "SELEC a FROM t" }));
        Assert.That(error!.Message, Does.StartWith("Stream 'rows': ODBC Transport.SelectQuery failed: "));
        Assert.That(error.Message, Does.Contain("syntax error"));
    }

    [Test]
    public void A_missing_table_names_the_stream_and_the_field_on_input_and_on_output()
    {
        Execute(Sqlite(_file), "CREATE TABLE t (a INTEGER)");
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () => await ReadAllAsync(new OdbcSettings { StreamName = "rows", ConnectionString = Sqlite(_file), SelectQuery = "SELECT * FROM nowhere" }));
        Assert.That(error!.Message, Does.StartWith("Stream 'rows': ODBC Transport.SelectQuery failed: ").And.Contain("no such table: nowhere"));

        error = Assert.ThrowsAsync<StreamException>(async () => await WriteAsync(new OdbcSettings { StreamName = "results", ConnectionString = Sqlite(_file), InsertIntoTable = "nowhere", OutputFields = ["a"] }, ["{\"a\": 1}"]));
        Assert.That(error!.Message, Does.StartWith("Stream 'results': ODBC Transport.InsertIntoTable INSERT INTO nowhere failed at record 1 (its batch of 1 was rolled back): ").And.Contain("no such table: nowhere"));
    }

    [Test]
    public async Task A_value_that_does_not_fit_its_column_rolls_the_whole_batch_back_and_names_the_record()
    {
        Execute(Sqlite(_file), "CREATE TABLE t (n INTEGER NOT NULL) STRICT");
        var settings = new OdbcSettings { StreamName = "results", ConnectionString = Sqlite(_file), InsertIntoTable = "t", OutputFields = ["n"] };
        await using var output = new OdbcOutput(settings);
        await output.OpenAsync(Guard());
        await output.WriteAsync([Encoding.UTF8.GetBytes("{\"n\": 1}")], Guard());
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () =>
            await output.WriteAsync([Encoding.UTF8.GetBytes("{\"n\": 2}"), Encoding.UTF8.GetBytes("{\"n\": \"not a number\"}")], Guard()));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.StartWith("Stream 'results': ODBC Transport.InsertIntoTable INSERT INTO t failed at record 3 (its batch of 2 was rolled back): "));
            Assert.That(Query(Sqlite(_file), "SELECT n FROM t"), Is.EqualTo(new[] { new object?[] { 1L } }), "the first batch stays committed, the failed one left nothing");
        });
    }

    [Test]
    public void A_record_that_is_not_a_json_object_names_the_record()
    {
        Execute(Sqlite(_file), "CREATE TABLE t (n INTEGER)");
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () =>
            await WriteAsync(new OdbcSettings { StreamName = "results", ConnectionString = Sqlite(_file), InsertIntoTable = "t", OutputFields = ["n"] }, ["{\"n\": 1}", "[1, 2]"]));
        Assert.That(error!.Message, Is.EqualTo("Stream 'results': ODBC Transport.InsertIntoTable cannot insert record 2: it is not a JSON object (an ODBC output needs the json encoding and records with fields)."));
        Assert.That(Query(Sqlite(_file), "SELECT n FROM t"), Is.Empty, "the batch was rolled back");
    }

    [Test]
    public void Table_and_column_names_that_are_not_identifiers_are_refused_before_any_sql_runs()
    {
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () =>
            await WriteAsync(new OdbcSettings { StreamName = "results", ConnectionString = Sqlite(_file), InsertIntoTable = "t; DROP TABLE x" }, []));
        Assert.That(error!.Message, Is.EqualTo("Stream 'results': ODBC Transport.InsertIntoTable 't; DROP TABLE x' is not a table name."));
        error = Assert.ThrowsAsync<StreamException>(async () =>
            await WriteAsync(new OdbcSettings { StreamName = "results", ConnectionString = Sqlite(_file), InsertIntoTable = "t", OutputFields = ["a", "b) VALUES (1); --"] }, []));
        Assert.That(error!.Message, Is.EqualTo("Stream 'results': ODBC Transport.OutputFields[1] 'b) VALUES (1); --' is not a column name."));
    }

    [Test]
    public void An_unknown_driver_names_the_connection_string_and_never_shows_its_password()
    {
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () =>
            await ReadAllAsync(new OdbcSettings { StreamName = "rows", ConnectionString = "Driver={No Such Driver};Server=x;Pwd=hunter2", SelectQuery = "SELECT 1" }));
        Assert.That(error!.Message, Does.StartWith("Stream 'rows': ODBC Transport.ConnectionString could not connect: "));
        Assert.That(error.ToString(), Does.Not.Contain("hunter2"));
    }

    [Test]
    public async Task Postgres_through_odbc_round_trips_typed_values()
    {
        string table = "fss_odbc_" + Guid.NewGuid().ToString("N")[..8];
        Execute(Postgres, $"CREATE TABLE {table} (id BIGINT, score DOUBLE PRECISION, ok BOOLEAN, label TEXT, amount NUMERIC(10,2), at TIMESTAMP)");
        try
        {
            await WriteAsync(new OdbcSettings { StreamName = "out", ConnectionString = Postgres, InsertIntoTable = table, OutputFields = ["id", "score", "ok", "label", "amount", "at"] },
                ["{\"id\": 1, \"score\": 0.25, \"ok\": true, \"label\": \"é\", \"amount\": 12.5, \"at\": \"2026-12-07 10:00:00\"}", "{\"id\": 2}"]);
            List<string> records = await ReadAllAsync(new OdbcSettings { StreamName = "in", ConnectionString = PostgresTyped, SelectQuery = $"SELECT id, score, ok, label, amount, at FROM {table} ORDER BY id" });
            Assert.That(records, Is.EqualTo(new[]
            {
                "{\"id\":1,\"score\":0.25,\"ok\":true,\"label\":\"\\u00E9\",\"amount\":12.50,\"at\":\"2026-12-07T10:00:00.0000000\"}",
                "{\"id\":2,\"score\":null,\"ok\":null,\"label\":null,\"amount\":null,\"at\":null}",
            }));
        }
        finally
        {
            Execute(Postgres, $"DROP TABLE {table}");
        }
    }

    [Test]
    public async Task Postgres_refuses_text_in_an_integer_column_and_the_batch_is_rolled_back()
    {
        string table = "fss_odbc_" + Guid.NewGuid().ToString("N")[..8];
        Execute(Postgres, $"CREATE TABLE {table} (n INTEGER)");
        try
        {
            StreamException? error = Assert.ThrowsAsync<StreamException>(async () =>
                await WriteAsync(new OdbcSettings { StreamName = "results", ConnectionString = Postgres, InsertIntoTable = table, OutputFields = ["n"] }, ["{\"n\": 1}", "{\"n\": \"abc\"}"]));
            Assert.That(error!.Message, Does.StartWith($"Stream 'results': ODBC Transport.InsertIntoTable INSERT INTO {table} failed at record 2 (its batch of 2 was rolled back): ").And.Contain("invalid input syntax for type integer"));
            Assert.That(Query(Postgres, $"SELECT n FROM {table}"), Is.Empty);
        }
        finally
        {
            Execute(Postgres, $"DROP TABLE {table}");
        }
    }

    [Test]
    public void Postgres_timeout_cancels_a_query_that_runs_too_long()
    {
        StreamException? error = Assert.ThrowsAsync<StreamException>(async () =>
            await ReadAllAsync(new OdbcSettings { StreamName = "rows", ConnectionString = Postgres, SelectQuery = "SELECT pg_sleep(30)", Timeout = 1000 }));
        Assert.That(error!.Message, Does.StartWith("Stream 'rows': ODBC Transport.SelectQuery failed"));
        Assert.That(error.Message, Does.Contain("cancel").IgnoreCase);
    }

    [Test]
    public async Task An_adonet_provider_serves_the_same_fields_without_odbc_Microsoft_Data_Sqlite()
    {
        string cs = $"Data Source={_file}";
        var settings = new OdbcSettings { StreamName = "out", ConnectionString = cs, Factory = SqliteFactory.Instance, InsertIntoTable = "t", OutputFields = ["a", "b"] };
        await using (var connection = new SqliteConnection(cs))
        {
            await connection.OpenAsync();
            await using DbCommand create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE t (a INTEGER, b TEXT)";
            await create.ExecuteNonQueryAsync();
        }

        await WriteAsync(settings, ["{\"a\": 1, \"b\": \"x\"}", "{\"a\": 2, \"b\": \"y\"}"]);
        List<string> records = await ReadAllAsync(settings with { SelectQuery = "SELECT a, b FROM t ORDER BY a" });
        Assert.That(records, Is.EqualTo(new[] { "{\"a\":1,\"b\":\"x\"}", "{\"a\":2,\"b\":\"y\"}" }));
        SqliteConnection.ClearAllPools();
    }

    [Test]
    public async Task An_adonet_provider_serves_the_same_fields_without_odbc_Npgsql()
    {
        string table = "fss_npgsql_" + Guid.NewGuid().ToString("N")[..8];
        Execute(Postgres, $"CREATE TABLE {table} (a BIGINT, b TEXT)");
        try
        {
            var settings = new OdbcSettings { StreamName = "out", ConnectionString = PostgresNpgsql, Factory = NpgsqlFactory.Instance, InsertIntoTable = table, OutputFields = ["a", "b"] };
            await WriteAsync(settings, ["{\"a\": 1, \"b\": \"x\"}", "{\"a\": 2, \"b\": \"y\"}"]);
            List<string> records = await ReadAllAsync(settings with { SelectQuery = $"SELECT a, b FROM {table} ORDER BY a" });
            Assert.That(records, Is.EqualTo(new[] { "{\"a\":1,\"b\":\"x\"}", "{\"a\":2,\"b\":\"y\"}" }));
        }
        finally
        {
            Execute(Postgres, $"DROP TABLE {table}");
        }
    }
}
