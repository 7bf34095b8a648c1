using System.Data.Common;
using System.Data.Odbc;

namespace FastScore.Streams.Odbc.Tests;

/// <summary>
/// The databases the ODBC tests use: SQLite through Debian's libsqliteodbc (a file per test, no server), and a
/// PostgreSQL server through odbc-postgresql (`.ci/run` starts it and sets FASTSCORE_TEST_POSTGRES_ODBC; the default
/// is the local cluster of docs/testing.md).
/// </summary>
internal static class OdbcTestDatabases
{
    public const string PostgresDefault = "Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=5432;Database=postgres;Uid=postgres;Pwd=pg";

    /// <summary>The PostgreSQL connection string with psqlODBC's booleans as SQL booleans (its default, BoolsAsChar=1, reports them as text).</summary>
    public static string PostgresTyped => Postgres + ";BoolsAsChar=0";

    public static string Postgres => Environment.GetEnvironmentVariable("FASTSCORE_TEST_POSTGRES_ODBC") is { Length: > 0 } s ? s : PostgresDefault;

    /// <summary>The same PostgreSQL server for Npgsql (ADO.NET, no ODBC).</summary>
    public static string PostgresNpgsql
    {
        get
        {
            var odbc = new DbConnectionStringBuilder { ConnectionString = Postgres };
            string Get(string key, string fallback) => odbc.TryGetValue(key, out object? v) ? v.ToString()! : fallback;
            return $"Host={Get("Server", "127.0.0.1")};Port={Get("Port", "5432")};Database={Get("Database", "postgres")};Username={Get("Uid", "postgres")};Password={Get("Pwd", "pg")}";
        }
    }

    public static string SqliteFile() => Path.Combine(Path.GetTempPath(), "fss-odbc-" + Guid.NewGuid().ToString("N") + ".db");

    public static string Sqlite(string file) => $"Driver=SQLite3;Database={file}";

    public static void Execute(string connectionString, params string[] statements)
    {
        using var connection = new OdbcConnection(connectionString);
        connection.Open();
        foreach (string sql in statements)
        {
            using var command = new OdbcCommand(sql, connection);
            command.ExecuteNonQuery();
        }
    }

    public static List<object?[]> Query(DbConnection connection, string sql)
    {
        using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        using DbDataReader reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            object?[] row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public static List<object?[]> Query(string odbcConnectionString, string sql)
    {
        using var connection = new OdbcConnection(odbcConnectionString);
        connection.Open();
        return Query(connection, sql);
    }
}
