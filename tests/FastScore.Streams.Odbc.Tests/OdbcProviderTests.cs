using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using FastScore.Streams.Descriptors;
using static FastScore.Streams.Odbc.Tests.OdbcTestDatabases;

namespace FastScore.Streams.Odbc.Tests;

/// <summary>The odbc transport as a registered provider: descriptors in, rows out (and in) through real streams.</summary>
public sealed class OdbcProviderTests
{
    [Test]
    public async Task An_odbc_descriptor_reads_rows_and_another_writes_them_through_streams()
    {
        string file = SqliteFile();
        try
        {
            Execute(Sqlite(file), "CREATE TABLE src (id INTEGER, name TEXT)", "INSERT INTO src VALUES (1, 'a')", "INSERT INTO src VALUES (2, 'b')", "CREATE TABLE dst (id INTEGER, name TEXT)");
            StreamFactoryOptions options = new StreamFactoryOptions().AddOdbc();
            var factory = new StreamFactory(options);
            StreamDescriptorOptions read = options.CreateDescriptorOptions();
            string cs = Sqlite(file).Replace("\\", "\\\\", StringComparison.Ordinal);
            await using InputStream input = factory.CreateInput(StreamDescriptor.Parse($$"""{"Transport": {"Type": "ODBC", "ConnectionString": "{{cs}}", "SelectQuery": "SELECT id, name FROM src ORDER BY id"}, "Encoding": null}""", read));
            await using OutputStream output = factory.CreateOutput(StreamDescriptor.Parse($$"""{"Transport": {"Type": "ODBC", "ConnectionString": "{{cs}}", "InsertIntoTable": "dst", "OutputFields": ["id", "name"]}, "Encoding": null}""", read));
            var seen = new List<string>();
            await foreach (byte[] record in input.ReadAllAsync<byte[]>())
            {
                seen.Add(Encoding.UTF8.GetString(record));
                await output.WriteAsync(record);
            }

            await output.CompleteAsync();
            Assert.Multiple(() =>
            {
                Assert.That(seen, Is.EqualTo(new[] { "{\"id\":1,\"name\":\"a\"}", "{\"id\":2,\"name\":\"b\"}" }));
                Assert.That(Query(Sqlite(file), "SELECT id, name FROM dst ORDER BY id"), Is.EqualTo(new[] { new object?[] { 1L, "a" }, new object?[] { 2L, "b" } }));
            });
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task A_descriptor_naming_an_ADO_NET_provider_reads_and_writes_through_it_without_ODBC()
    {
        string file = Path.Combine(Path.GetTempPath(), $"fastscore-ado-{Guid.NewGuid():N}.db");
        try
        {
            DbProviderFactories.RegisterFactory("Microsoft.Data.Sqlite", SqliteFactory.Instance);
            using (var connection = new SqliteConnection($"Data Source={file}"))
            {
                connection.Open();
                using SqliteCommand command = connection.CreateCommand();
                command.CommandText = "CREATE TABLE src (id INTEGER, name TEXT); INSERT INTO src VALUES (1, 'a'), (2, 'b'); CREATE TABLE dst (id INTEGER, name TEXT);";
                command.ExecuteNonQuery();
            }

            StreamFactoryOptions options = new StreamFactoryOptions().AddOdbc();
            var factory = new StreamFactory(options);
            StreamDescriptorOptions read = options.CreateDescriptorOptions();
            string cs = $"Data Source={file}".Replace("\\", "\\\\", StringComparison.Ordinal);
            StreamDescriptor inDescriptor = StreamDescriptor.Parse($$"""{"Transport": {"Type": "ODBC", "Provider": "Microsoft.Data.Sqlite", "ConnectionString": "{{cs}}", "SelectQuery": "SELECT id, name FROM src ORDER BY id"}, "Encoding": null}""", read);
            await using InputStream input = factory.CreateInput(inDescriptor);
            await using OutputStream output = factory.CreateOutput(StreamDescriptor.Parse($$"""{"Transport": {"Type": "odbc", "Provider": "Microsoft.Data.Sqlite", "ConnectionString": "{{cs}}", "InsertIntoTable": "dst", "OutputFields": ["id", "name"]}, "Encoding": null}""", read));
            var seen = new List<string>();
            await foreach (byte[] record in input.ReadAllAsync<byte[]>())
            {
                seen.Add(Encoding.UTF8.GetString(record));
                await output.WriteAsync(record);
            }

            await output.CompleteAsync();
            var rows = new List<string>();
            using (var connection = new SqliteConnection($"Data Source={file}"))
            {
                connection.Open();
                using SqliteCommand command = connection.CreateCommand();
                command.CommandText = "SELECT id, name FROM dst ORDER BY id";
                using SqliteDataReader reader = command.ExecuteReader();
                while (reader.Read())
                {
                    rows.Add($"{reader.GetInt64(0)}:{reader.GetString(1)}");
                }
            }

            Assert.Multiple(() =>
            {
                Assert.That(((OdbcTransportDescriptor)inDescriptor.Transport).Provider, Is.EqualTo("Microsoft.Data.Sqlite"));
                Assert.That(inDescriptor.ToJson(indented: false), Does.Contain("\"Provider\":\"Microsoft.Data.Sqlite\""));
                Assert.That(seen, Is.EqualTo(new[] { "{\"id\":1,\"name\":\"a\"}", "{\"id\":2,\"name\":\"b\"}" }));
                Assert.That(rows, Is.EqualTo(new[] { "1:a", "2:b" }));
            });
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }
    }

    [Test]
    public void A_provider_the_host_did_not_register_is_an_error_at_Transport_Provider()
    {
        StreamFactoryOptions options = new StreamFactoryOptions().AddOdbc();
        var factory = new StreamFactory(options);
        StreamDescriptor descriptor = StreamDescriptor.Parse("""{"Transport": {"Type": "ODBC", "Provider": "No.Such.Provider", "ConnectionString": "Data Source=x", "SelectQuery": "SELECT 1"}, "Encoding": null}""", options.CreateDescriptorOptions());
        var ex = Assert.Throws<DescriptorException>(() => factory.CreateInput(descriptor));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Errors[0].Path, Is.EqualTo("Transport.Provider"));
            Assert.That(ex.Errors[0].Message, Does.Contain("no ADO.NET provider named 'No.Such.Provider' is registered"));
        });
    }
}
