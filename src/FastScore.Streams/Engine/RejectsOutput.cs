using System.Buffers;
using System.Text.Encodings.Web;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Diagnostics;
using FastScore.Streams.Schemas;
using FastScore.Streams.Transports;
using Microsoft.Extensions.Logging;

namespace FastScore.Streams.Engine;

/// <summary>
/// The rejects stream of a run (<see cref="EngineOptions.Rejects"/>): every rejected record (by encoding, by schema, for
/// its size, or skipped after a model error) becomes one JSON reject document (see docs/operations.md), written to an
/// output stream. The engine flushes it with the outputs before it acknowledges inputs, so a record is acknowledged only
/// once its reject is durable. Documents are queued from any task (input producers, the run loop); a background drain
/// hands full batches to the stream, and a producer waits when more than <see cref="MaxQueuedBytes"/> are queued.
/// </summary>
internal sealed class RejectsOutput : IAsyncDisposable
{
    /// <summary>The header names written with each reject document (transports that carry headers: Kafka).</summary>
    public const string KindHeader = "fastscore-reject-kind";

    /// <summary>The reason header.</summary>
    public const string ReasonHeader = "fastscore-reject-reason";

    /// <summary>The slot header.</summary>
    public const string SlotHeader = "fastscore-reject-slot";

    /// <summary>The stream header.</summary>
    public const string StreamHeader = "fastscore-reject-stream";

    /// <summary>The record number header.</summary>
    public const string RecordNumberHeader = "fastscore-reject-record-number";

    /// <summary>The position header.</summary>
    public const string PositionHeader = "fastscore-reject-position";

    private const int MaxQueuedBytes = 4 * 1024 * 1024;
    private const int DrainBytes = 256 * 1024;

    private readonly OutputStream _stream;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private readonly SemaphoreSlim _io = new(1, 1);
    private readonly ArrayBufferWriter<byte> _document = new(1024);
    private OutputBatch _pending;
    private Task _drain = Task.CompletedTask;
    private Exception? _failure;
    private long _documents;
    private bool _closed;

    private RejectsOutput(OutputStream stream, TimeProvider time, ILogger logger)
    {
        _stream = stream;
        _time = time;
        _logger = logger;
        _pending = stream.CreateBatch();
    }

    /// <summary>Gets how many reject documents were queued.</summary>
    public long Documents => Interlocked.Read(ref _documents);

    /// <summary>Gets the output stream the documents go to.</summary>
    public OutputStream Stream => _stream;

    /// <summary>Creates the rejects output of a run (not opened yet); throws <see cref="ArgumentException"/> for an encoding that cannot carry JSON text.</summary>
    public static RejectsOutput Create(StreamFactory factory, StreamDescriptor descriptor, TimeProvider time, ILogger logger)
    {
        var options = new StreamOpenOptions
        {
            Name = "rejects",
            Slot = -1,
            TimeProvider = time,
            OnRejected = r => Log.RecordRejected(logger, r), // a document the rejects stream itself refuses (its own schema)
        };
        CheckEncoding(descriptor.Encoding?.Type);
        OutputStream stream = factory.CreateOutput(descriptor, options);
        return new RejectsOutput(stream, time, logger);
    }

    /// <summary>Throws when a rejects stream's encoding cannot carry the JSON documents.</summary>
    public static void CheckEncoding(string? encoding)
    {
        if (encoding is not (null or "json" or "utf-8" or "null"))
        {
            throw new ArgumentException($"The rejects stream's Encoding is '{encoding}': reject documents are JSON text, so use json, utf-8 or null.", nameof(encoding));
        }
    }

    /// <summary>Opens the stream.</summary>
    public ValueTask OpenAsync(CancellationToken cancellationToken) => _stream.OpenAsync(cancellationToken);

    /// <summary>Queues the reject document of a rejected record.</summary>
    public void Add(RejectedRecord rejection)
    {
        string kind = rejection.Oversized ? "oversize" : rejection.Kind == RejectionKind.Schema ? "schema" : "encoding";
        Append(rejection.Slot, rejection.StreamName, rejection.RecordNumber, 1, rejection.Position, rejection.ByteOffset, rejection.Metadata, kind, rejection.Reason,
            rejection.Record.Span, rejection.RecordTruncated, hasRecord: true);
    }

    /// <summary>Queues the reject document of records skipped after a model error (<see cref="ModelErrorPolicy.Skip"/>).</summary>
    /// <param name="slot">The input slot.</param>
    /// <param name="stream">The input stream's name.</param>
    /// <param name="error">The model error.</param>
    /// <param name="record">The record's bytes (a per-record model), or empty.</param>
    /// <param name="metadata">The record's transport metadata, or null.</param>
    /// <param name="records">How many records the model was given (a batch model's batch: the record is then left out).</param>
    public void AddModelError(int slot, string stream, ModelError error, ReadOnlySpan<byte> record, MessageMetadata? metadata, int records)
    {
        Append(slot, stream, error.RecordNumber, records, metadata?.Position, null, metadata, "model", error.Message, record, truncated: false, hasRecord: records == 1);
    }

    /// <summary>Hands what is queued to the stream and makes it durable (before inputs are acknowledged).</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        await _io.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfFailed();
            if (Take() is { } batch)
            {
                await _stream.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            }

            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _io.Release();
        }
    }

    /// <summary>Writes what is queued and completes the stream (at the end of the run).</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        await _io.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfFailed();
            OutputBatch? last;
            lock (_lock)
            {
                _closed = true;
                last = _pending.Count > 0 ? _pending : null;
                if (last is null)
                {
                    _pending.Dispose();
                }

                Monitor.PulseAll(_lock);
            }

            await _stream.CompleteAsync(last, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _io.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _closed = true;
            Monitor.PulseAll(_lock);
        }

        await _drain.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _io.Dispose();
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new StreamException($"The rejects stream failed: {failure.Message}", failure) { StreamName = _stream.Name };
        }
    }

    private OutputBatch? Take()
    {
        lock (_lock)
        {
            if (_pending.Count == 0 || _closed)
            {
                return null;
            }

            OutputBatch batch = _pending;
            _pending = _stream.CreateBatch();
            Monitor.PulseAll(_lock);
            return batch;
        }
    }

    private void Append(int slot, string stream, long recordNumber, int records, string? position, long? byteOffset, MessageMetadata? metadata, string kind, string reason,
        ReadOnlySpan<byte> record, bool truncated, bool hasRecord)
    {
        lock (_lock)
        {
            while (_pending.ByteCount > MaxQueuedBytes && !_closed && _failure is null)
            {
                Monitor.Wait(_lock, 100); // backpressure: the drain writes the queue, then pulses
            }

            if (_closed)
            {
                return; // the run is over (a late rejection of a stream being closed): logged and kept in the reports only
            }

            _document.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(_document, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                writer.WriteStartObject();
                writer.WriteString("type"u8, "fastscore.reject"u8);
                writer.WriteNumber("version"u8, 1);
                writer.WriteString("time"u8, _time.GetUtcNow());
                writer.WriteNumber("slot"u8, slot);
                writer.WriteString("stream"u8, stream);
                writer.WriteNumber("recordNumber"u8, recordNumber);
                if (records != 1)
                {
                    writer.WriteNumber("records"u8, records);
                }

                writer.WritePropertyName("position"u8);
                if (position is null && byteOffset is null && metadata is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    writer.WriteStartObject();
                    writer.WriteString("text"u8, position);
                    if (byteOffset is { } offset)
                    {
                        writer.WriteNumber("byteOffset"u8, offset);
                    }

                    if (metadata?.PositionFields is { } fields)
                    {
                        foreach (KeyValuePair<string, object> field in fields)
                        {
                            WriteValue(writer, field.Key, field.Value);
                        }
                    }

                    writer.WriteEndObject();
                }

                writer.WriteString("kind"u8, kind);
                writer.WriteString("reason"u8, reason);
                if (hasRecord)
                {
                    bool text = System.Text.Unicode.Utf8.IsValid(record);
                    writer.WriteString("recordEncoding"u8, text ? "utf-8"u8 : "base64"u8);
                    if (text)
                    {
                        writer.WriteString("record"u8, record);
                    }
                    else
                    {
                        writer.WriteBase64String("record"u8, record);
                    }

                    writer.WriteBoolean("recordTruncated"u8, truncated);
                }

                writer.WriteEndObject();
            }

            if (!_stream.TryAdd(_pending, _document.WrittenMemory))
            {
                return; // refused by the rejects stream's own schema: logged by its OnRejected
            }

            _pending.SetLastHeaders(
            [
                Header(KindHeader, kind),
                Header(ReasonHeader, reason),
                Header(SlotHeader, slot.ToString(CultureInfo.InvariantCulture)),
                Header(StreamHeader, stream),
                Header(RecordNumberHeader, recordNumber.ToString(CultureInfo.InvariantCulture)),
                .. position is null ? (KeyValuePair<string, ReadOnlyMemory<byte>>[])[] : [Header(PositionHeader, position)],
            ]);
            _documents++;
            if (_pending.ByteCount >= DrainBytes && _drain.IsCompleted)
            {
                _drain = Task.Run(DrainAsync);
            }
        }
    }

    private static KeyValuePair<string, ReadOnlyMemory<byte>> Header(string name, string value) => new(name, Encoding.UTF8.GetBytes(value));

    private static void WriteValue(Utf8JsonWriter writer, string name, object value)
    {
        switch (value)
        {
            case int i:
                writer.WriteNumber(name, i);
                break;
            case long l:
                writer.WriteNumber(name, l);
                break;
            default:
                writer.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private async Task DrainAsync()
    {
        await _io.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Take() is { } batch)
            {
                await _stream.WriteAsync(batch).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Volatile.Write(ref _failure, ex);
            Log.RejectsFailed(_logger, ex.Message, ex);
            lock (_lock)
            {
                Monitor.PulseAll(_lock);
            }
        }
        finally
        {
            _io.Release();
        }
    }
}
