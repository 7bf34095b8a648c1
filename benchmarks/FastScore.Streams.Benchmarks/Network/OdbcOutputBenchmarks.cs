using System.Data.Odbc;
using FastScore.Streams.Odbc;

namespace FastScore.Streams.Benchmarks.Network;

/// <summary>
/// The ODBC output (JSON records → one prepared parameterized INSERT per row, one transaction per batch of 1024)
/// against a hand-written loop doing the same inserts from values already in memory, on the same database: SQLite
/// through Debian's libsqliteodbc, a file in the temp folder.
/// </summary>
/// <remarks>Run: <c>dotnet benchmarks/FastScore.Streams.Benchmarks/bin/Release/net10.0/FastScore.Streams.Benchmarks.dll --filter '*OdbcOutputBenchmarks*' --job short</c>.</remarks>
[MemoryDiagnoser]
public class OdbcOutputBenchmarks
{
    private const int Batch = 1024;
    private static readonly string[] s_columns = ["id", "sepal_length", "sepal_width", "petal_length", "petal_width", "species"];
    private string _file = "";
    private string _connectionString = "";
    private ReadOnlyMemory<byte>[] _records = [];
    private (long Id, double Sl, double Sw, double Pl, double Pw, string Species)[] _values = [];

    /// <summary>Gets or sets the records inserted per operation.</summary>
    [Params(50_000)]
    public int Records { get; set; }

    /// <summary>Creates the database and the records.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _file = Path.Combine(Path.GetTempPath(), $"fss-odbc-bench-{Environment.ProcessId}.db");
        File.Delete(_file);
        _connectionString = $"Driver=SQLite3;Database={_file}";
        using (var connection = new OdbcConnection(_connectionString))
        {
            connection.Open();
            using var create = new OdbcCommand("CREATE TABLE iris (id INTEGER, sepal_length REAL, sepal_width REAL, petal_length REAL, petal_width REAL, species TEXT)", connection);
            create.ExecuteNonQuery();
        }

        string[] species = ["setosa", "versicolor", "virginica"];
        _records = new ReadOnlyMemory<byte>[Records];
        _values = new (long, double, double, double, double, string)[Records];
        for (int i = 0; i < Records; i++)
        {
            _values[i] = (i, 4 + (i % 40 / 10.0), 2 + (i % 20 / 10.0), 1 + (i % 60 / 10.0), 0.1 + (i % 25 / 10.0), species[i % 3]);
            var v = _values[i];
            _records[i] = System.Text.Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{{\"id\": {v.Id}, \"sepal_length\": {v.Sl}, \"sepal_width\": {v.Sw}, \"petal_length\": {v.Pl}, \"petal_width\": {v.Pw}, \"species\": \"{v.Species}\"}}"));
        }
    }

    /// <summary>Removes the database.</summary>
    [GlobalCleanup]
    public void Cleanup() => File.Delete(_file);

    /// <summary>The hand-written loop: values already typed, one prepared INSERT per row, one transaction per 1024 rows.</summary>
    /// <returns>The rows inserted.</returns>
    [Benchmark(Baseline = true)]
    public long HandWrittenBatchedInsert()
    {
        using var connection = new OdbcConnection(_connectionString);
        connection.Open();
        Truncate(connection);
        for (int start = 0; start < _values.Length; start += Batch)
        {
            using OdbcTransaction transaction = connection.BeginTransaction();
            using var command = new OdbcCommand("INSERT INTO iris (id, sepal_length, sepal_width, petal_length, petal_width, species) VALUES (?, ?, ?, ?, ?, ?)", connection, transaction);
            OdbcParameter[] p = [.. s_columns.Select(c => command.Parameters.Add(new OdbcParameter { ParameterName = c }))];
            command.Prepare();
            for (int i = start; i < Math.Min(start + Batch, _values.Length); i++)
            {
                var v = _values[i];
                p[0].Value = v.Id;
                p[1].Value = v.Sl;
                p[2].Value = v.Sw;
                p[3].Value = v.Pl;
                p[4].Value = v.Pw;
                p[5].Value = v.Species;
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        return _values.Length;
    }

    /// <summary>The ODBC output transport: JSON records in batches of 1024, fields mapped to the columns by name.</summary>
    /// <returns>The rows committed.</returns>
    [Benchmark]
    public async Task<long> OdbcOutputTransport()
    {
        using (var connection = new OdbcConnection(_connectionString))
        {
            connection.Open();
            Truncate(connection);
        }

        await using var output = new OdbcOutput(new OdbcSettings { StreamName = "bench", ConnectionString = _connectionString, InsertIntoTable = "iris", OutputFields = s_columns });
        await output.OpenAsync(CancellationToken.None);
        for (int start = 0; start < _records.Length; start += Batch)
        {
            await output.WriteAsync(new ArraySegment<ReadOnlyMemory<byte>>(_records, start, Math.Min(Batch, _records.Length - start)), CancellationToken.None);
        }

        await output.CompleteAsync(CancellationToken.None);
        return output.Committed;
    }

    private static void Truncate(OdbcConnection connection)
    {
        using var delete = new OdbcCommand("DELETE FROM iris", connection);
        delete.ExecuteNonQuery();
    }
}
