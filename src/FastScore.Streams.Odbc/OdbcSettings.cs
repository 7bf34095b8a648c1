using System.Data.Common;
using System.Data.Odbc;
using System.Text.RegularExpressions;

namespace FastScore.Streams.Odbc;

/// <summary>
/// What an ODBC stream needs, read from its descriptor: the connection (through unixODBC, or an ADO.NET provider the
/// host registered by name), the query or the table and columns, and the timeout.
/// </summary>
internal sealed partial record OdbcSettings
{
    /// <summary>The provider name of the default: System.Data.Odbc over the system's driver manager.</summary>
    public const string OdbcProvider = "System.Data.Odbc";

    /// <summary>Gets the stream's name, for errors.</summary>
    public required string StreamName { get; init; }

    /// <summary>Gets the connection string (may hold a password: never shown).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>Gets the ADO.NET provider factory (<see cref="OdbcFactory"/> unless the descriptor names another).</summary>
    public DbProviderFactory Factory { get; init; } = OdbcFactory.Instance;

    /// <summary>Gets the SELECT query (input).</summary>
    public string? SelectQuery { get; init; }

    /// <summary>Gets the table inserted into (output).</summary>
    public string? InsertIntoTable { get; init; }

    /// <summary>Gets the columns written (output), or <see langword="null"/> for the fields of the first record.</summary>
    public IReadOnlyList<string>? OutputFields { get; init; }

    /// <summary>Gets the timeout of each command in milliseconds, or <see langword="null"/> for the provider's default.</summary>
    public int? Timeout { get; init; }

    /// <summary>Gets a value indicating whether parameters are positional <c>?</c> (ODBC) rather than named <c>@p0</c>.</summary>
    public bool PositionalParameters => Factory is OdbcFactory;

    /// <summary>Gets the provider's display name.</summary>
    public string ProviderName => Factory is OdbcFactory ? "ODBC" : Factory.GetType().Namespace ?? Factory.GetType().Name;

    /// <summary>Whether an identifier (table or column) may be written into SQL as is: a plain or dotted name, or a quoted one.</summary>
    public static bool IsIdentifier(string name) => IdentifierPattern().IsMatch(name);

    /// <summary>Applies <see cref="Timeout"/> to a command (rounded up to whole seconds, as ADO.NET counts).</summary>
    public void ApplyTimeout(DbCommand command)
    {
        if (Timeout is int ms)
        {
            command.CommandTimeout = ms <= 0 ? 0 : (ms + 999) / 1000;
        }
    }

    /// <summary>Opens a connection, turning failures into errors that name the stream and the field.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        DbConnection connection;
        try
        {
            connection = Factory.CreateConnection() ?? throw new InvalidOperationException($"{ProviderName} creates no connections.");
            connection.ConnectionString = ConnectionString;
        }
        catch (ArgumentException ex)
        {
            throw Error("Transport.ConnectionString", "is not a valid connection string: " + Clean(ex.Message), ex);
        }
        catch (DllNotFoundException ex)
        {
            throw Error("Transport.ConnectionString", "needs an ODBC driver manager, and none is installed (Debian: apt-get install unixodbc)", ex);
        }

        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (ex is DbException or DllNotFoundException or InvalidOperationException or ArgumentException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            string reason = ex is DllNotFoundException
                ? "needs an ODBC driver manager, and none is installed (Debian: apt-get install unixodbc)"
                : "could not connect: " + Clean(ex.Message);
            throw Error("Transport.ConnectionString", reason, ex);
        }
    }

    /// <summary>The error of a database call: names the stream and the descriptor field.</summary>
    public StreamException Error(string field, string reason, Exception? inner = null) =>
        new($"Stream '{StreamName}': {ProviderName} {field} {reason}.", inner) { StreamName = StreamName };

    /// <summary>A driver's message on one line, without the driver-manager prefixes (<c>ERROR [42S02] [unixODBC][SQLite]</c>) kept short.</summary>
    public static string Clean(string message)
    {
        string text = message.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Trim();
        string cleaned = DriverPrefixPattern().Replace(text, "").Trim();
        text = cleaned.Length > 0 ? cleaned : text.Length > 0 ? text : "the driver gave no reason";
        return text.Length > 500 ? text[..500] + "…" : text;
    }

    [GeneratedRegex(@"^(?:[A-Za-z_][A-Za-z0-9_$]*|""[^""]+"")(?:\.(?:[A-Za-z_][A-Za-z0-9_$]*|""[^""]+""))*$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex(@"(?:ERROR \[[0-9A-Z]{5}\] )?(?:\[[^\]]*\])+\s*")]
    private static partial Regex DriverPrefixPattern();
}
