using System.Globalization;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Diagnostics;

namespace FastScore.Streams.Odbc;

/// <summary>
/// ODBC: SELECT on input, INSERT on output, through unixODBC (System.Data.Odbc) or an ADO.NET provider named by
/// <see cref="Provider"/>. Read, checked and printed by the odbc transport provider of this package (docs/odbc.md).
/// </summary>
public sealed record OdbcTransportDescriptor : TransportDescriptor
{
    /// <summary>The transport type name, <c>odbc</c>.</summary>
    public const string TypeName = "odbc";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>Gets the connection string (may hold a password; masked when displayed).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>
    /// Gets the ADO.NET provider: <see langword="null"/> (the default) for ODBC through the system's driver manager, or the
    /// invariant name of a provider the host registered with <c>DbProviderFactories.RegisterFactory</c>, e.g.
    /// <c>Npgsql</c> or <c>Microsoft.Data.Sqlite</c> (for users without ODBC drivers).
    /// </summary>
    public string? Provider { get; init; }

    /// <summary>Gets the SELECT query (input only).</summary>
    public string? SelectQuery { get; init; }

    /// <summary>Gets the table to insert into (output only).</summary>
    public string? InsertIntoTable { get; init; }

    /// <summary>Gets the columns written, or <see langword="null"/> for all.</summary>
    public IReadOnlyList<string>? OutputFields { get; init; }

    /// <summary>Gets the timeout in milliseconds, or <see langword="null"/>.</summary>
    public int? Timeout { get; init; }

    /// <inheritdoc />
    public override bool PreservesRecordBoundaries => true;

    /// <inheritdoc />
    public override bool IsSeekable => false;

    /// <inheritdoc />
    public override bool DefinesRecordFormat => true;

    /// <summary>Gets a value indicating whether the transport can be an input: it needs a <see cref="SelectQuery"/>.</summary>
    public override bool CanRead => SelectQuery is not null;

    /// <summary>Gets a value indicating whether the transport can be an output: it needs an <see cref="InsertIntoTable"/>.</summary>
    public override bool CanWrite => InsertIntoTable is not null;

    /// <inheritdoc/>
    protected override string DirectionHint(bool input) => input ? "give SelectQuery" : "give InsertIntoTable";

    /// <summary>Compares every field; <see cref="OutputFields"/> is compared by content.</summary>
    /// <param name="other">The other descriptor.</param>
    /// <returns><see langword="true"/> when both describe the same transport.</returns>
    public bool Equals(OdbcTransportDescriptor? other) =>
        other is not null
        && base.Equals(other)
        && ConnectionString == other.ConnectionString
        && Provider == other.Provider
        && SelectQuery == other.SelectQuery
        && InsertIntoTable == other.InsertIntoTable
        && Timeout == other.Timeout
        && (OutputFields is null ? other.OutputFields is null : other.OutputFields is not null && OutputFields.SequenceEqual(other.OutputFields, StringComparer.Ordinal));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ConnectionString, SelectQuery, InsertIntoTable, Timeout);

    /// <summary>Prints the members for <c>ToString()</c> with the password of <see cref="ConnectionString"/> masked.</summary>
    /// <param name="builder">Receives the members.</param>
    /// <returns><see langword="true"/>.</returns>
    protected override bool PrintMembers(System.Text.StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Append("Type = ").Append(Type)
            .Append(", ConnectionString = ").Append(SafeText.MaskSecrets(ConnectionString))
            .Append(", Provider = ").Append(Provider)
            .Append(", SelectQuery = ").Append(SelectQuery)
            .Append(", InsertIntoTable = ").Append(InsertIntoTable)
            .Append(", Timeout = ").Append(Timeout);
        return true;
    }

    /// <inheritdoc />
    protected override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(ConnectionString))
        {
            errors.Add("ConnectionString", $"must be a non-empty string; found {(ConnectionString is null ? "null" : "\"\"")}.");
        }

        if (SelectQuery is null && InsertIntoTable is null)
        {
            errors.Add(string.Empty, "an odbc transport needs SelectQuery (to be an input) or InsertIntoTable (to be an output); found neither.");
        }

        if (OutputFields is not null && InsertIntoTable is null)
        {
            errors.Add("OutputFields", "needs InsertIntoTable (OutputFields names the columns written by an output); found no InsertIntoTable.");
        }

        if (SelectQuery is { Length: 0 })
        {
            errors.Add("SelectQuery", "must be a non-empty query or null; found \"\".");
        }

        if (InsertIntoTable is { Length: 0 })
        {
            errors.Add("InsertIntoTable", "must be a non-empty table name or null; found \"\".");
        }

        if (Provider is { } provider && provider.Trim().Length == 0)
        {
            errors.Add("Provider", "must be an ADO.NET provider name (e.g. \"Npgsql\", \"Microsoft.Data.Sqlite\") or null for ODBC; found \"\".");
        }

        if (Timeout is < 0)
        {
            errors.Add("Timeout", $"must be a non-negative number of milliseconds or null; found {Timeout.Value.ToString(CultureInfo.InvariantCulture)}.");
        }
    }

    /// <summary>Writes the fields, the connection string's secrets masked in the display forms; <c>Provider</c> only when one is named.</summary>
    /// <param name="writer">The writer.</param>
    protected override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteUrl("ConnectionString", ConnectionString);
        if (Provider is not null)
        {
            writer.WriteString("Provider", Provider);
        }

        writer.WriteString("SelectQuery", SelectQuery);
        writer.WriteString("InsertIntoTable", InsertIntoTable);
        writer.WriteStrings("OutputFields", OutputFields);
        writer.WriteNumber("Timeout", Timeout);
    }
}
