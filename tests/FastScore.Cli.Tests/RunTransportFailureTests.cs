using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using FastScore.Streams.TestUtilities;

namespace FastScore.Cli.Tests;

/// <summary>
/// Issue 15 points 4 and 7 through <c>fastscore run</c>: bad input for the tcp, udp, http, exec and odbc transports (port
/// in use, connection refused, unknown host, missing executable, a child that exits at once, SQL errors) ends the run in ERROR with exit
/// code 1 and an error naming the stream and the field, and leaves no process behind; an exec child dies with the
/// engine's process even when that process is killed with SIGKILL.
/// </summary>
[Category("Integration")]
public sealed class RunTransportFailureTests
{
    private const int SigKill = 9;
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(30);
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fastscore-cli-transport-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port; // closed again when the probe is disposed
    }

    private static async Task<(int Exit, string Err)> RunAsync(params string[] args)
    {
        using var timeout = new CancellationTokenSource(s_guard);
        var (exit, _, err, _) = await CliRunner.RunAsync(timeout.Token, args);
        return (exit, err);
    }

    private static void AssertFailed(int exit, string err, string errorLine)
    {
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1), err);
            Assert.That(err, Does.Contain("engine: ERROR"));
            Assert.That(err, Does.Contain(errorLine));
            Assert.That(err, Does.Not.Contain("   at "), "no stack trace");
        });
    }

    [Test]
    public async Task A_listening_tcp_input_on_a_port_in_use_fails_naming_the_stream_and_Port()
    {
        using var taken = new TcpListener(IPAddress.Any, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (exit, err) = await RunAsync("run", "echo", $"tcp::{port}", "discard:");
        AssertFailed(exit, err, $"error: slot 0 (tcp::{port}): Stream 'tcp::{port}': TCP cannot listen on 0.0.0.0:{port} (Transport.Port): the port is already in use.");
    }

    [Test]
    public async Task A_tcp_input_whose_server_refuses_fails_naming_the_stream_and_Port()
    {
        int port = ClosedPort();
        var (exit, err) = await RunAsync("run", "echo", $"tcp:127.0.0.1:{port}", "discard:");
        AssertFailed(exit, err, $"Stream 'tcp:127.0.0.1:{port}': TCP cannot connect to 127.0.0.1:{port} (Transport.Port): connection refused (nothing listens there).");
    }

    [Test]
    public async Task A_tcp_output_whose_server_refuses_fails_naming_the_stream_and_Port()
    {
        int port = ClosedPort();
        var (exit, err) = await RunAsync("run", "echo", "inline:1,2", $"tcp:127.0.0.1:{port}");
        AssertFailed(exit, err, $"Stream 'tcp:127.0.0.1:{port}': TCP cannot connect to 127.0.0.1:{port} (Transport.Port): connection refused (nothing listens there).");
    }

    [Test]
    public async Task A_tcp_input_on_an_unknown_host_fails_naming_the_stream_and_Host()
    {
        var (exit, err) = await RunAsync("run", "echo", "tcp:no-such-host.invalid:9", "discard:");
        AssertFailed(exit, err, "Stream 'tcp:no-such-host.invalid:9': TCP cannot connect to no-such-host.invalid:9 (Transport.Host): unknown host.");
    }

    [Test]
    public async Task A_udp_input_on_a_port_in_use_fails_naming_the_stream_and_Port()
    {
        using var taken = new UdpClient(new IPEndPoint(IPAddress.Any, 0));
        int port = ((IPEndPoint)taken.Client.LocalEndPoint!).Port;
        var (exit, err) = await RunAsync("run", "echo", $"udp::{port}", "discard:");
        AssertFailed(exit, err, $"Stream 'udp::{port}': UDP cannot bind 0.0.0.0:{port} (Transport.Port): the port is already in use.");
    }

    [Test]
    public async Task An_http_input_whose_server_refuses_fails_naming_the_stream_and_Url()
    {
        string url = $"http://127.0.0.1:{ClosedPort()}/x.jsons";
        var (exit, err) = await RunAsync("run", "echo", url, "discard:");
        AssertFailed(exit, err, $"Stream '{url}': HTTP GET {url} (Transport.Url) failed: connection refused (nothing listens there).");
    }

    [Test]
    public async Task An_http_input_on_an_unknown_host_fails_naming_the_stream_and_Url()
    {
        const string Url = "http://no-such-host.invalid/x.jsons";
        var (exit, err) = await RunAsync("run", "echo", Url, "discard:");
        AssertFailed(exit, err, $"Stream '{Url}': HTTP GET {Url} (Transport.Url) failed: unknown host.");
    }

    [Test]
    public async Task A_missing_executable_fails_naming_the_stream_and_Run()
    {
        var (exit, err) = await RunAsync("run", "echo", "exec:no-such-program-fss", "discard:");
        AssertFailed(exit, err, "Stream 'exec:no-such-program-fss': exec cannot start 'no-such-program-fss' (Transport.Run): No such file or directory (not found in PATH).");
    }

    [Test]
    public async Task An_input_child_that_exits_at_once_fails_with_its_exit_code_and_stderr_and_leaves_nothing_running()
    {
        string marker = Marker();
        string descriptor = Path.Combine(_dir, "child.json");
        await File.WriteAllTextAsync(descriptor, $$"""{"Transport": {"Type": "exec", "Run": "sh", "Args": ["-c", "echo cannot open the model {{marker}} >&2; exit 3"]} }""");
        var (exit, err) = await RunAsync("run", "echo", descriptor, "discard:");
        AssertFailed(exit, err, $"Stream '{descriptor}': the exec child 'sh' (Transport.Run) failed: exit code 3; the end of its stderr: cannot open the model {marker}.");
        Assert.That(ProcessesWith(marker), Is.Empty);
    }

    [Test]
    public async Task An_output_child_that_exits_at_once_fails_the_run_and_leaves_nothing_running()
    {
        string marker = Marker();
        string descriptor = Path.Combine(_dir, "child.json");
        await File.WriteAllTextAsync(descriptor, $$"""{"Transport": {"Type": "exec", "Run": "sh", "Args": ["-c", "echo no disk {{marker}} >&2; exit 2"]} }""");
        string input = Path.Combine(_dir, "in.jsons");
        await File.WriteAllLinesAsync(input, Enumerable.Range(1, 20_000).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        var (exit, err) = await RunAsync("run", "echo", "file:" + input, descriptor);
        AssertFailed(exit, err, $"the exec child 'sh' (Transport.Run)");
        Assert.Multiple(() =>
        {
            Assert.That(err, Does.Contain($"Stream '{descriptor}'").And.Contain("exit code 2").And.Contain($"no disk {marker}"));
            Assert.That(ProcessesWith(marker), Is.Empty);
        });
    }

    /// <summary>A SQLite database (through unixODBC's SQLite3 driver) with a table <c>iris(n, s)</c> of two rows and an empty <c>scores(n, s)</c>.</summary>
    private string SqliteDatabase()
    {
        string file = Path.Combine(_dir, "iris.db");
        using var connection = new System.Data.Odbc.OdbcConnection($"Driver=SQLite3;Database={file}");
        connection.Open();
        foreach (string sql in new[] { "CREATE TABLE iris(n INTEGER, s TEXT)", "INSERT INTO iris VALUES (1, 'a'), (2, 'b')", "CREATE TABLE scores(n INTEGER, s TEXT)" })
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }

        return $"Driver=SQLite3;Database={file}";
    }

    private string Descriptor(string name, string json)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Test]
    public async Task An_odbc_input_with_a_sql_syntax_error_fails_naming_the_stream_and_SelectQuery()
    {
        string input = Descriptor("rows.json", $$"""{"Transport": {"Type": "ODBC", "ConnectionString": "{{SqliteDatabase()}}", "SelectQuery": "SELEC * FROM iris"} }""");
        var (exit, err) = await RunAsync("run", "echo", input, "discard:");
        AssertFailed(exit, err, $"Stream '{input}': ODBC Transport.SelectQuery failed: near \"SELEC\": syntax error");
    }

    [Test]
    public async Task An_odbc_input_on_a_missing_table_fails_naming_the_stream_and_SelectQuery()
    {
        string input = Descriptor("rows.json", $$"""{"Transport": {"Type": "ODBC", "ConnectionString": "{{SqliteDatabase()}}", "SelectQuery": "SELECT * FROM nosuch"} }""");
        var (exit, err) = await RunAsync("run", "echo", input, "discard:");
        AssertFailed(exit, err, $"Stream '{input}': ODBC Transport.SelectQuery failed: no such table: nosuch");
    }

    [Test]
    public async Task An_odbc_output_into_a_missing_table_fails_naming_the_stream_and_InsertIntoTable_and_rolls_back()
    {
        string connection = SqliteDatabase();
        string input = Descriptor("rows.json", $$"""{"Transport": {"Type": "ODBC", "ConnectionString": "{{connection}}", "SelectQuery": "SELECT * FROM iris"} }""");
        string output = Descriptor("out.json", $$"""{"Transport": {"Type": "ODBC", "ConnectionString": "{{connection}}", "InsertIntoTable": "nosuch"} }""");
        var (exit, err) = await RunAsync("run", "echo", input, output);
        AssertFailed(exit, err, $"Stream '{output}': ODBC Transport.InsertIntoTable INSERT INTO nosuch failed at record 1 (its batch of 2 was rolled back): no such table: nosuch");
    }

    /// <summary>The PostgreSQL server of the ODBC tests (`.ci/run` starts it and sets FASTSCORE_TEST_POSTGRES_ODBC; the default is the local cluster of docs/testing.md).</summary>
    private static string Postgres => Environment.GetEnvironmentVariable("FASTSCORE_TEST_POSTGRES_ODBC") is { Length: > 0 } s
        ? s
        : "Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=5432;Database=postgres;Uid=postgres;Pwd=pg";

    private static void Execute(string connectionString, params string[] statements)
    {
        using var connection = new System.Data.Odbc.OdbcConnection(connectionString);
        connection.Open();
        foreach (string sql in statements)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }

    private static long Count(string connectionString, string table)
    {
        using var connection = new System.Data.Odbc.OdbcConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    [Test]
    public async Task An_odbc_output_of_a_value_that_does_not_fit_its_PostgreSQL_column_fails_naming_the_stream_and_InsertIntoTable_and_rolls_back()
    {
        string table = "fss_cli_fit_" + Guid.NewGuid().ToString("N")[..12];
        Execute(Postgres, $"CREATE TABLE {table} (n SMALLINT, s VARCHAR(3))");
        try
        {
            string input = Path.Combine(_dir, "rows.jsons");
            await File.WriteAllLinesAsync(input, ["""{"n": 1, "s": "a"}""", """{"n": 100000, "s": "b"}""", """{"n": 3, "s": "c"}"""]);
            string output = Descriptor("out.json", $$"""{"Transport": {"Type": "ODBC", "ConnectionString": "{{Postgres}}", "InsertIntoTable": "{{table}}"}, "Encoding": null}""");
            var (exit, err) = await RunAsync("run", "echo", "file:" + input, output);
            AssertFailed(exit, err, $"Stream '{output}': ODBC Transport.InsertIntoTable INSERT INTO {table} failed at record 2 (its batch of 3 was rolled back): ");
            Assert.Multiple(() =>
            {
                Assert.That(err, Does.Contain("value \"100000\" is out of range for type smallint"), "the driver's reason");
                Assert.That(err, Does.Not.Contain("Pwd="), "the connection string (its password) is never shown");
                Assert.That(Count(Postgres, table), Is.Zero, "the failed batch was rolled back: record 1 is not there either");
            });
        }
        finally
        {
            Execute(Postgres, $"DROP TABLE {table}");
        }
    }

    [Test]
    public async Task An_odbc_output_of_a_value_that_does_not_fit_its_strict_SQLite_column_fails_naming_the_stream_and_InsertIntoTable_and_rolls_back()
    {
        string connection = SqliteDatabase();
        Execute(connection, "CREATE TABLE strict_scores(n INTEGER, s TEXT) STRICT");
        string input = Path.Combine(_dir, "rows.jsons");
        await File.WriteAllLinesAsync(input, ["""{"n": 1, "s": "a"}""", """{"n": "two", "s": "b"}"""]);
        string output = Descriptor("out.json", $$"""{"Transport": {"Type": "ODBC", "ConnectionString": "{{connection}}", "InsertIntoTable": "strict_scores"}, "Encoding": null}""");
        var (exit, err) = await RunAsync("run", "echo", "file:" + input, output);
        AssertFailed(exit, err, $"Stream '{output}': ODBC Transport.InsertIntoTable INSERT INTO strict_scores failed at record 2 (its batch of 2 was rolled back): cannot store TEXT value in INTEGER column strict_scores.n");
        Assert.That(Count(connection, "strict_scores"), Is.Zero, "the failed batch was rolled back");
    }

    [Test]
    public async Task An_odbc_run_that_works_copies_the_rows_and_exits_0()
    {
        string connection = SqliteDatabase();
        string input = Descriptor("rows.json", $$"""{"Transport": {"Type": "ODBC", "ConnectionString": "{{connection}}", "SelectQuery": "SELECT n, s FROM iris ORDER BY n"} }""");
        string output = Descriptor("out.json", $$"""{"Transport": {"Type": "ODBC", "ConnectionString": "{{connection}}", "InsertIntoTable": "scores"} }""");
        var (exit, err) = await RunAsync("run", "echo", input, output);
        Assert.That(exit, Is.EqualTo(0), err);
        using var db = new System.Data.Odbc.OdbcConnection(connection);
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT n || s FROM scores ORDER BY n";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        Assert.That(rows, Is.EqualTo(new[] { "1a", "2b" }));
    }

    [Test]
    public async Task Stopping_the_run_kills_a_child_that_neither_reads_nor_writes()
    {
        string marker = Marker();
        string descriptor = Path.Combine(_dir, "sleeper.json");
        await File.WriteAllTextAsync(descriptor, $$"""{"Transport": {"Type": "exec", "Run": "sleep", "Args": ["{{marker}}"]} }""");
        await using FastScoreCliProcess cli = FastScoreCliProcess.Start(["run", "echo", descriptor, "discard:"]);
        int child = await FindChildAsync(cli, marker);
        cli.Signal(FastScoreCliProcess.SigTerm);
        Assert.That(await cli.WaitForExitAsync(s_guard), Is.True, cli.Stderr);
        Assert.Multiple(() =>
        {
            Assert.That(cli.ExitCode, Is.EqualTo(3), cli.Stderr); // stopped
            Assert.That(IsRunning(child, marker), Is.False, "the exec child outlived the stopped engine");
        });
    }

    [Test]
    public async Task Killing_the_engine_process_with_SIGKILL_kills_its_exec_child()
    {
        string marker = Marker();
        string descriptor = Path.Combine(_dir, "sleeper.json");
        await File.WriteAllTextAsync(descriptor, $$"""{"Transport": {"Type": "exec", "Run": "sleep", "Args": ["{{marker}}"]} }""");
        await using FastScoreCliProcess cli = FastScoreCliProcess.Start(["run", "echo", descriptor, "discard:"]);
        int child = await FindChildAsync(cli, marker);
        try
        {
            cli.Signal(SigKill);
            Assert.That(await cli.WaitForExitAsync(s_guard), Is.True);
            Assert.That(await GoneAsync(child, marker), Is.True, "the exec child outlived the engine's process (SIGKILL)");
        }
        finally
        {
            if (IsRunning(child, marker))
            {
                using Process survivor = Process.GetProcessById(child);
                survivor.Kill();
            }
        }
    }

    /// <summary>A unique argument for <c>sleep</c> (seconds, fractional) that identifies the test's child among all processes.</summary>
    private static string Marker() => string.Create(CultureInfo.InvariantCulture, $"{Random.Shared.Next(100_000, 999_999)}.{Random.Shared.Next(100, 999)}");

    /// <summary>Waits (a hang guard, not a timing assertion) for the child of <paramref name="cli"/> whose command line holds <paramref name="marker"/>.</summary>
    private static async Task<int> FindChildAsync(FastScoreCliProcess cli, string marker)
    {
        using var timeout = new CancellationTokenSource(s_guard);
        while (true)
        {
            foreach (int pid in ProcessesWith(marker))
            {
                if (ParentOf(pid) == cli.Id)
                {
                    return pid;
                }
            }

            Assert.That(cli.HasExited, Is.False, "fastscore exited before starting its child: " + cli.Stderr);
            Assert.That(timeout.IsCancellationRequested, Is.False, "the exec child did not start: " + cli.Stderr);
            await Task.Delay(100, CancellationToken.None);
        }
    }

    /// <summary>Waits (a hang guard) until the process is gone: no such pid, a zombie, or another program under that pid.</summary>
    private static async Task<bool> GoneAsync(int pid, string marker)
    {
        using var timeout = new CancellationTokenSource(s_guard);
        while (IsRunning(pid, marker))
        {
            if (timeout.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(100, CancellationToken.None);
        }

        return true;
    }

    private static bool IsRunning(int pid, string marker)
    {
        string? stat = Read($"/proc/{pid}/stat");
        if (stat is null)
        {
            return false;
        }

        string state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
        return state != "Z" && state != "X" && (Read($"/proc/{pid}/cmdline") ?? "").Contains(marker, StringComparison.Ordinal);
    }

    private static int ParentOf(int pid)
    {
        string? stat = Read($"/proc/{pid}/stat");
        return stat is null ? -1 : int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
    }

    /// <summary>The live processes whose command line holds <paramref name="marker"/>.</summary>
    private static List<int> ProcessesWith(string marker)
    {
        var found = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid != Environment.ProcessId && IsRunning(pid, marker))
            {
                found.Add(pid);
            }
        }

        return found;
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
