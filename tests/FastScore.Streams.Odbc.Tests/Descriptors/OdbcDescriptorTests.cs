using FastScore.Streams.Descriptors;
using FastScore.Streams.Tests.Common;

namespace FastScore.Streams.Odbc.Tests.Descriptors;

/// <summary>The descriptor of the odbc transport: its fields and defaults, and at least one bad case each (read with only this package registered).</summary>
public sealed class OdbcDescriptorTests() : PackageDescriptorTests(options => options.AddOdbc())
{
    [Test]
    public void Odbc_reads_every_field()
    {
        StreamDescriptor d = Parse("""
            {"Transport": {"Type": "ODBC", "ConnectionString": "DSN=db;UID=u;PWD=p", "InsertIntoTable": "scores",
                           "OutputFields": ["id", "score"], "Timeout": 5000}, "Encoding": null, "Schema": null}
            """);
        var odbc = (OdbcTransportDescriptor)d.Transport;
        Assert.Multiple(() =>
        {
            Assert.That(odbc.ConnectionString, Is.EqualTo("DSN=db;UID=u;PWD=p"));
            Assert.That(odbc.InsertIntoTable, Is.EqualTo("scores"));
            Assert.That(odbc.OutputFields, Is.EqualTo(new[] { "id", "score" }));
            Assert.That(odbc.Timeout, Is.EqualTo(5000));
            Assert.That(odbc.CanWrite, Is.True);
            Assert.That(odbc.CanRead, Is.False);
        });
    }

    [Test]
    public void Odbc_schema_defaults_to_null()
    {
        StreamDescriptor d = Parse("""{"Transport": {"Type": "odbc", "ConnectionString": "DSN=db", "SelectQuery": "SELECT * FROM t"}}""");
        Assert.Multiple(() =>
        {
            Assert.That(d.Schema, Is.EqualTo(SchemaReference.None));
            Assert.That(d.Encoding, Is.Null);
            Assert.That(d.Envelope, Is.Null);
            Assert.That(d.Transport.CanRead, Is.True);
        });
    }

    [Test]
    public void Odbc_needs_a_query_or_a_table() =>
        TransportFails("""{"Type": "odbc", "ConnectionString": "DSN=db"}""", "Transport", "needs SelectQuery (to be an input) or InsertIntoTable");

    [Test]
    public void Odbc_output_fields_need_insert_into_table() =>
        TransportFails("""{"Type": "odbc", "ConnectionString": "DSN=db", "SelectQuery": "SELECT 1", "OutputFields": ["a"]}""", "Transport.OutputFields", "needs InsertIntoTable");

    [Test]
    public void Odbc_timeout_must_not_be_negative() =>
        TransportFails("""{"Type": "odbc", "ConnectionString": "DSN=db", "SelectQuery": "SELECT 1", "Timeout": -1}""", "Transport.Timeout", "found -1");

    [Test]
    public void Odbc_select_query_must_not_be_empty() =>
        TransportFails("""{"Type": "odbc", "ConnectionString": "DSN=db", "SelectQuery": ""}""", "Transport.SelectQuery", "non-empty query or null");

    [Test]
    public void Odbc_output_fields_must_be_strings() =>
        TransportFails("""{"Type": "odbc", "ConnectionString": "DSN=db", "InsertIntoTable": "t", "OutputFields": "a,b"}""", "Transport.OutputFields", "an array of strings");

    [Test]
    public void Odbc_connection_string_is_required() =>
        TransportFails("""{"Type": "odbc", "SelectQuery": "SELECT 1"}""", "Transport.ConnectionString", "required field is missing");
}
