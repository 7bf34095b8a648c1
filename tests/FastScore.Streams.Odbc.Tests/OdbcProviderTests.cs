using System.Text;
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
            var factory = new StreamFactory(new StreamFactoryOptions().AddOdbc());
            string cs = Sqlite(file).Replace("\\", "\\\\", StringComparison.Ordinal);
            await using InputStream input = factory.CreateInput(StreamDescriptor.Parse($$"""{"Transport": {"Type": "ODBC", "ConnectionString": "{{cs}}", "SelectQuery": "SELECT id, name FROM src ORDER BY id"}, "Encoding": null}"""));
            await using OutputStream output = factory.CreateOutput(StreamDescriptor.Parse($$"""{"Transport": {"Type": "ODBC", "ConnectionString": "{{cs}}", "InsertIntoTable": "dst", "OutputFields": ["id", "name"]}, "Encoding": null}"""));
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
}
