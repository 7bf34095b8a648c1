using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Odbc;

/// <summary>
/// ODBC input: runs <c>SelectQuery</c> once and makes each row one record, a JSON object of column name → typed value
/// (integers and decimals as JSON numbers, booleans, strings, <c>null</c> for SQL NULL, dates and times as ISO 8601
/// strings, binary as base64). Rows are read as the driver delivers them (a forward-only reader), never all at once.
/// The last row ends the stream. A query cannot be resumed at a position: no SkipToRecord; Loop runs it again.
/// </summary>
internal sealed class OdbcInput(OdbcSettings settings) : MessageInputTransport
{
    private readonly ArrayBufferWriter<byte> _json = new(64 * 1024);
    private DbConnection? _connection;
    private DbCommand? _command;
    private DbDataReader? _reader;
    private string[] _names = [];
    private JsonEncodedText[] _encodedNames = [];
    private long _rows;

    public override string DisplayName => $"{settings.ProviderName.ToLowerInvariant()}: {Diagnostics.SafeText.MaskSecrets(settings.SelectQuery ?? "")}";

    /// <summary>A query has no position to acknowledge.</summary>
    public override bool RequiresAcknowledgement => false;

    public override async ValueTask OpenAsync(RecordPosition? position, CancellationToken cancellationToken)
    {
        if (position is { Kind: not RecordPositionKind.Earliest })
        {
            throw new NotSupportedException($"Stream '{settings.StreamName}': an ODBC input cannot start at a record position (SkipToRecord).");
        }

        if (string.IsNullOrWhiteSpace(settings.SelectQuery))
        {
            throw settings.Error("Transport.SelectQuery", "is needed to read from a database");
        }

        await CloseAsync().ConfigureAwait(false);
        _connection = await settings.OpenAsync(cancellationToken).ConfigureAwait(false);
        _command = _connection.CreateCommand();
        _command.CommandText = settings.SelectQuery;
        settings.ApplyTimeout(_command);
        try
        {
            _reader = await _command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex)
        {
            await CloseAsync().ConfigureAwait(false);
            throw settings.Error("Transport.SelectQuery", "failed: " + OdbcSettings.Clean(ex.Message), ex);
        }

        _names = new string[_reader.FieldCount];
        _encodedNames = new JsonEncodedText[_reader.FieldCount];
        for (int i = 0; i < _names.Length; i++)
        {
            _names[i] = _reader.GetName(i);
            _encodedNames[i] = JsonEncodedText.Encode(_names[i]);
        }

        _rows = 0;
    }

    public override async ValueTask<bool> ReadAsync(List<InputMessage> batch, int maxMessages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        DbDataReader reader = _reader ?? throw new InvalidOperationException("The input is not open.");
        _json.ResetWrittenCount();
        var ends = new List<int>(Math.Min(maxMessages, 1024));
        using (var writer = new Utf8JsonWriter(_json, new JsonWriterOptions { SkipValidation = true }))
        {
            while (ends.Count < maxMessages && _json.WrittenCount < 1024 * 1024)
            {
                bool more;
                try
                {
                    more = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    if (more)
                    {
                        WriteRow(reader, writer);
                    }
                }
                catch (DbException ex)
                {
                    throw settings.Error("Transport.SelectQuery", $"failed at row {_rows + 1}: " + OdbcSettings.Clean(ex.Message), ex);
                }

                if (!more)
                {
                    break;
                }

                writer.Flush();
                writer.Reset();
                ends.Add(_json.WrittenCount);
                _rows++;
            }
        }

        if (ends.Count == 0)
        {
            return false;
        }

        ReadOnlyMemory<byte> all = _json.WrittenMemory;
        int start = 0;
        foreach (int end in ends)
        {
            batch.Add(new InputMessage(all[start..end]));
            start = end;
        }

        return true;
    }

    public override async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void WriteRow(DbDataReader reader, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        for (int i = 0; i < _encodedNames.Length; i++)
        {
            writer.WritePropertyName(_encodedNames[i]);
            if (reader.IsDBNull(i))
            {
                writer.WriteNullValue();
                continue;
            }

            switch (reader.GetValue(i))
            {
                case long v: writer.WriteNumberValue(v); break;
                case int v: writer.WriteNumberValue(v); break;
                case short v: writer.WriteNumberValue(v); break;
                case byte v: writer.WriteNumberValue(v); break;
                case sbyte v: writer.WriteNumberValue(v); break;
                case ulong v: writer.WriteNumberValue(v); break;
                case uint v: writer.WriteNumberValue(v); break;
                case ushort v: writer.WriteNumberValue(v); break;
                case decimal v: writer.WriteNumberValue(v); break;
                case double v when double.IsFinite(v): writer.WriteNumberValue(v); break;
                case float v when float.IsFinite(v): writer.WriteNumberValue(v); break;
                case double or float: writer.WriteNullValue(); break; // JSON has no NaN or infinity
                case bool v: writer.WriteBooleanValue(v); break;
                case string v: writer.WriteStringValue(v); break;
                case DateTime v: writer.WriteStringValue(v.ToString(v.TimeOfDay == TimeSpan.Zero && v.Kind == DateTimeKind.Unspecified ? "yyyy-MM-dd" : "O", CultureInfo.InvariantCulture)); break;
                case DateTimeOffset v: writer.WriteStringValue(v); break;
                case DateOnly v: writer.WriteStringValue(v.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
                case TimeOnly v: writer.WriteStringValue(v.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture)); break;
                case TimeSpan v: writer.WriteStringValue(v.ToString("c", CultureInfo.InvariantCulture)); break;
                case Guid v: writer.WriteStringValue(v); break;
                case byte[] v: writer.WriteBase64StringValue(v); break;
                case object v: writer.WriteStringValue(Convert.ToString(v, CultureInfo.InvariantCulture)); break;
            }
        }

        writer.WriteEndObject();
    }

    private async ValueTask CloseAsync()
    {
        if (_reader is not null)
        {
            await _reader.DisposeAsync().ConfigureAwait(false);
            _reader = null;
        }

        if (_command is not null)
        {
            await _command.DisposeAsync().ConfigureAwait(false);
            _command = null;
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
    }
}
