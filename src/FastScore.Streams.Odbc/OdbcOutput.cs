using System.Data.Common;
using System.Text;
using System.Text.Json;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Odbc;

/// <summary>
/// ODBC output: each record (a JSON object) becomes one row of <c>InsertIntoTable</c>; its fields are mapped to the
/// columns named in <c>OutputFields</c> by name (a missing field is NULL, an extra field is ignored; without
/// <c>OutputFields</c> the fields of the first record are the columns). Each batch the engine hands over is inserted
/// with one prepared, parameterized INSERT executed per row inside one transaction, committed before
/// <see cref="WriteAsync"/> returns: the engine acknowledges its inputs only after that (at-least-once; a failed
/// batch is rolled back whole and fails the stream, naming the record and the driver's reason).
/// </summary>
internal sealed class OdbcOutput(OdbcSettings settings) : MessageOutputTransport
{
    private DbConnection? _connection;
    private string[]? _columns;
    private string? _insert;
    private long _records;
    private object[]? _values;
    private Type?[]? _boundTypes;

    public override string DisplayName => $"{settings.ProviderName.ToLowerInvariant()}: {settings.InsertIntoTable}";

    /// <summary>Gets how many rows were committed.</summary>
    public long Committed { get; private set; }

    public override async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.InsertIntoTable))
        {
            throw settings.Error("Transport.InsertIntoTable", "is needed to write to a database");
        }

        if (!OdbcSettings.IsIdentifier(settings.InsertIntoTable))
        {
            throw settings.Error("Transport.InsertIntoTable", $"'{settings.InsertIntoTable}' is not a table name");
        }

        if (settings.OutputFields is { } fields)
        {
            for (int i = 0; i < fields.Count; i++)
            {
                if (!OdbcSettings.IsIdentifier(fields[i]))
                {
                    throw settings.Error($"Transport.OutputFields[{i}]", $"'{fields[i]}' is not a column name");
                }
            }

            if (fields.Count == 0)
            {
                throw settings.Error("Transport.OutputFields", "names no column");
            }

            UseColumns([.. fields]);
        }

        _connection = await settings.OpenAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteAsync(IReadOnlyList<ReadOnlyMemory<byte>> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        DbConnection connection = _connection ?? throw new InvalidOperationException("The output is not open.");
        if (messages.Count == 0)
        {
            return;
        }

        if (_columns is null)
        {
            UseColumns(FirstRecordFields(messages[0]));
        }

        string[] columns = _columns!;
        DbTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using System.Runtime.CompilerServices.ConfiguredAsyncDisposable disposeTransaction = transaction.ConfigureAwait(false);
        DbCommand command = connection.CreateCommand();
        await using System.Runtime.CompilerServices.ConfiguredAsyncDisposable disposeCommand = command.ConfigureAwait(false);
        command.Transaction = transaction;
        command.CommandText = _insert;
        settings.ApplyTimeout(command);
        _boundTypes = null; // new parameters: nothing bound yet
        var parameters = new DbParameter[columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            parameters[i] = command.CreateParameter();
            parameters[i].ParameterName = settings.PositionalParameters ? columns[i] : "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            command.Parameters.Add(parameters[i]);
        }

        int index = 0;
        try
        {
            for (; index < messages.Count; index++)
            {
                Bind(messages[index], columns, parameters, _records + index + 1);
                if (index == 0)
                {
                    try
                    {
                        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException)
                    {
                        // some providers cannot prepare: execute unprepared
                    }
                }

                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or InvalidCastException or OverflowException or ArgumentException && ex is not StreamException)
        {
            await RollbackAsync(transaction).ConfigureAwait(false);
            throw settings.Error("Transport.InsertIntoTable", $"INSERT INTO {settings.InsertIntoTable} failed at record {_records + index + 1} (its batch of {messages.Count} was rolled back): {OdbcSettings.Clean(ex.Message)}", ex);
        }
        catch
        {
            await RollbackAsync(transaction).ConfigureAwait(false);
            throw;
        }

        _records += messages.Count;
        Committed += messages.Count;
    }

    public override ValueTask FlushAsync(CancellationToken cancellationToken) => default; // each batch is committed by WriteAsync

    public override ValueTask CompleteAsync(CancellationToken cancellationToken) => default;

    public override async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task RollbackAsync(DbTransaction transaction)
    {
        try
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            // the connection is broken: the database rolls back on its own
        }
    }

    private void UseColumns(string[] columns)
    {
        _columns = columns;
        var sql = new StringBuilder("INSERT INTO ").Append(settings.InsertIntoTable).Append(" (").AppendJoin(", ", columns).Append(") VALUES (");
        for (int i = 0; i < columns.Length; i++)
        {
            sql.Append(i == 0 ? "" : ", ").Append(settings.PositionalParameters ? "?" : "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        _insert = sql.Append(')').ToString();
    }

    private string[] FirstRecordFields(ReadOnlyMemory<byte> record)
    {
        var names = new List<string>();
        try
        {
            using JsonDocument document = JsonDocument.Parse(record);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty property in document.RootElement.EnumerateObject())
                {
                    if (!OdbcSettings.IsIdentifier(property.Name))
                    {
                        throw settings.Error("Transport.OutputFields", $"is not set, and the first record's field '{property.Name}' is not a column name; list the columns in OutputFields");
                    }

                    names.Add(property.Name);
                }
            }
        }
        catch (JsonException)
        {
            // reported by Bind
        }

        return names.Count > 0 ? [.. names] : throw settings.Error("Transport.OutputFields", "is not set, and the first record is not a JSON object with fields to take the columns from");
    }

    // Sets each parameter from the record's field of the same name (case-sensitive first, then ignoring case).
    private void Bind(ReadOnlyMemory<byte> record, string[] columns, DbParameter[] parameters, long number)
    {
        object[] values = _values ??= new object[parameters.Length];
        Array.Fill(values, DBNull.Value);
        var reader = new Utf8JsonReader(record.Span);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw settings.Error("Transport.InsertIntoTable", $"cannot insert record {number}: it is not a JSON object (an ODBC output needs the json encoding and records with fields)");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                int column = Find(columns, ref reader);
                reader.Read();
                if (column < 0)
                {
                    reader.Skip();
                    continue;
                }

                values[column] = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString()!,
                    JsonTokenType.Number => reader.TryGetInt64(out long l) ? l : reader.GetDouble(),
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    JsonTokenType.Null => DBNull.Value,
                    _ => RawJson(ref reader, record.Span),
                };
            }
        }
        catch (JsonException ex)
        {
            throw settings.Error("Transport.InsertIntoTable", $"cannot insert record {number}: it is not valid JSON ({ex.Message})", ex);
        }

        Type?[] bound = _boundTypes ??= new Type?[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            object value = values[i];
            if (value is not DBNull)
            {
                Type type = value.GetType();
                if (bound[i] is { } before && before != type)
                {
                    parameters[i].ResetDbType(); // the driver binds by the value's type: a field that changes type is bound anew
                }

                bound[i] = type;
            }

            parameters[i].Value = value;
        }
    }

    private static int Find(string[] columns, ref Utf8JsonReader reader)
    {
        for (int i = 0; i < columns.Length; i++)
        {
            if (reader.ValueTextEquals(columns[i]))
            {
                return i;
            }
        }

        string name = reader.GetString()!;
        for (int i = 0; i < columns.Length; i++)
        {
            if (string.Equals(columns[i].Trim('"'), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    // a nested object or array is stored as its JSON text
    private static string RawJson(ref Utf8JsonReader reader, ReadOnlySpan<byte> record)
    {
        int start = (int)reader.TokenStartIndex;
        reader.Skip();
        return Encoding.UTF8.GetString(record[start..(int)reader.BytesConsumed]);
    }
}
