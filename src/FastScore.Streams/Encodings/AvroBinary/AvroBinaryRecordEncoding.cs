using FastScore.Streams.Internal;
using System.Diagnostics.CodeAnalysis;
using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avro;
using Avro.Generic;

namespace FastScore.Streams.Encodings.AvroBinary;

/// <summary>
/// The <c>avro-binary</c> encoding: one record is the Avro binary of one value of the stream's schema (no header, no
/// schema id). Self-delimiting. Decoding resolves the stream's schema (the writer's) against the reader's schema (the
/// model slot's, when given) by the Avro specification; encoding writes the stream's schema.
/// </summary>
/// <remarks>
/// <para>Host types. Decode: a POCO (a class with a parameterless constructor, members bound by name, see
/// <see cref="AvroPocoMembers"/>; read by a reader compiled once per type), <see cref="GenericRecord"/> or
/// <see cref="object"/> (Apache.Avro's generic values, as <c>GenericDatumReader</c> gives them), <see cref="JsonElement"/>
/// and <see cref="JsonNode"/> (the plain JSON FastScore's json encoding carries), <see cref="string"/> (a string record),
/// <see cref="byte"/>[] and <see cref="ReadOnlyMemory{T}"/> (the record's bytes, not decoded). Encode: the same types.</para>
/// <para>Instances are thread-safe; readers and writers are built on first use of a type and kept.</para>
/// </remarks>
internal sealed class AvroBinaryRecordEncoding : RecordEncoding
{
    private readonly AvroPlan _plan;
    private readonly bool _emit;
    private readonly ConcurrentDictionary<Type, object> _readers = new();
    private readonly ConcurrentDictionary<Type, object> _writers = new();
    private object? _lastReader;
    private object? _lastWriter;

    /// <summary>Creates the encoding.</summary>
    /// <param name="schema">The stream's schema: the one records are written with.</param>
    /// <param name="readerSchema">The schema decoded values follow (the model slot's); <see langword="null"/>: the stream's.</param>
    /// <param name="emit">Whether POCO readers may be emitted methods (when the runtime compiles dynamic code).</param>
    /// <exception cref="AvroResolutionException">The stream's schema cannot be read as <paramref name="readerSchema"/>.</exception>
    public AvroBinaryRecordEncoding(Schema schema, Schema? readerSchema = null, bool emit = true)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        ReaderSchema = readerSchema ?? schema;
        _plan = AvroResolver.Resolve(schema, ReaderSchema);
        _emit = emit;
    }

    /// <summary>Gets the stream's (writer's) schema.</summary>
    public Schema Schema { get; }

    /// <summary>Gets the schema decoded values follow.</summary>
    public Schema ReaderSchema { get; }

    /// <inheritdoc />
    public override string? Name => "avro-binary";

    /// <inheritdoc />
    public override bool IsSelfDelimiting => true;

    /// <summary>Gets the resolution plan (for tests).</summary>
    internal AvroPlan Plan => _plan;

    /// <inheritdoc />
    public override T Decode<T>(ReadOnlySpan<byte> record)
    {
        if (typeof(T) == typeof(byte[]))
        {
            return (T)(object)record.ToArray();
        }

        if (typeof(T) == typeof(ReadOnlyMemory<byte>))
        {
            return (T)(object)new ReadOnlyMemory<byte>(record.ToArray());
        }

        if (typeof(T) == typeof(JsonElement))
        {
            return (T)(object)ToJsonElement(record);
        }

        if (typeof(T) == typeof(JsonNode) || typeof(T) == typeof(JsonObject) || typeof(T) == typeof(JsonArray) || typeof(T) == typeof(JsonValue))
        {
            JsonNode? node = JsonNode.Parse(ToJsonBytes(record));
            return node is null ? default! : node is T typed ? typed : throw new StreamFormatException($"The record is {node.GetValueKind()}, not a {typeof(T).Name}.");
        }

        if (typeof(T) == typeof(object) || typeof(T) == typeof(GenericRecord) || typeof(T) == typeof(string) || typeof(T).IsPrimitive)
        {
            var cursor = new AvroCursor(record);
            if (!AvroGeneric.Read(ref cursor, _plan, out object? value) || !cursor.AtEnd)
            {
                throw Failure(ref cursor);
            }

            return value is T typed || (value is null && default(T) is null) ? (T)value! : throw new StreamFormatException($"The record is {value?.GetType().Name ?? "null"}, not a {typeof(T).Name}.");
        }

        AvroValueReader<T> reader = ReaderOf<T>();
        var c = new AvroCursor(record);
        if (!reader.Read(ref c, out T result) || !c.AtEnd)
        {
            throw Failure(ref c);
        }

        return result;
    }

    /// <summary>Decodes a record to a POCO without throwing: the reason (with its path and byte position) on failure.</summary>
    internal bool TryDecode<T>(ReadOnlySpan<byte> record, out T value, out string? reason)
    {
        var c = new AvroCursor(record);
        if (ReaderOf<T>().Read(ref c, out value) && c.AtEnd)
        {
            reason = null;
            return true;
        }

        reason = Failure(ref c).Message;
        return false;
    }

    private static StreamFormatException Failure(ref AvroCursor cursor) =>
        cursor.Error is null && !cursor.AtEnd
            ? new StreamFormatException($"$: {cursor.Data.Length - cursor.Position} bytes after the end of the record at byte {cursor.Position}")
            : new StreamFormatException(cursor.Describe());

    /// <summary>Gets the reader of <typeparamref name="T"/> (built on first use).</summary>
    /// <exception cref="NotSupportedException">The type cannot hold the reader schema's values.</exception>
    internal AvroValueReader<T> ReaderOf<T>()
    {
        if (_lastReader is AvroValueReader<T> last)
        {
            return last;
        }

        var reader = (AvroValueReader<T>)_readers.GetOrAdd(typeof(T), _ => CreateReader<T>());
        _lastReader = reader;
        return reader;
    }

    private AvroValueWriter<T> WriterOf<T>()
    {
        if (_lastWriter is AvroValueWriter<T> last)
        {
            return last;
        }

        var writer = (AvroValueWriter<T>)_writers.GetOrAdd(typeof(T), _ => CreateWriter<T>());
        _lastWriter = writer;
        return writer;
    }

    private const string ReflectionJustification =
        "The reflection-built readers and writers are used only where the runtime supports dynamic code (not under Native AOT); "
        + "without it, host types go through their JSON form and the JSON encoding's serializer options (a source-generated context under AOT).";

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = ReflectionJustification)]
    private AvroValueReader<T> CreateReader<T>() =>
        EmittedCode.IsSupported ? AvroPocoReader.Create<T>(_plan, _emit && EmittedCode.IsAllowed) : new AvroJsonValueReader<T>(_plan);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = ReflectionJustification)]
    private AvroValueWriter<T> CreateWriter<T>() =>
        EmittedCode.IsSupported ? AvroPocoWriter.Create<T>(Schema) : new AvroJsonValueWriter<T>(Schema);

    /// <summary>The record as plain JSON text (UTF-8), read with the reader's schema.</summary>
    /// <exception cref="StreamFormatException">The bytes are not a record of the schema, or hold a value JSON cannot carry (NaN).</exception>
    public byte[] ToJsonBytes(ReadOnlySpan<byte> record)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(64, record.Length * 2));
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            var cursor = new AvroCursor(record);
            if (!AvroJson.Write(ref cursor, _plan, json) || !cursor.AtEnd)
            {
                throw Failure(ref cursor);
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    private JsonElement ToJsonElement(ReadOnlySpan<byte> record)
    {
        using JsonDocument document = JsonDocument.Parse(ToJsonBytes(record));
        return document.RootElement.Clone();
    }

    /// <inheritdoc />
    public override void Encode<T>(T value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        switch (value)
        {
            case byte[] bytes:
                output.Write(bytes);
                return;
            case ReadOnlyMemory<byte> memory:
                output.Write(memory.Span);
                return;
            case JsonElement element:
            {
                var avro = new AvroOutput(output);
                AvroJson.Encode(Schema, element, ref avro);
                avro.Flush();
                return;
            }

            case JsonNode node:
            {
                using JsonDocument document = JsonDocument.Parse(node.ToJsonString());
                var avro = new AvroOutput(output);
                AvroJson.Encode(Schema, document.RootElement, ref avro);
                avro.Flush();
                return;
            }

            case null when default(T) is null && typeof(T) == typeof(object):
            case GenericRecord:
            case GenericEnum:
            case GenericFixed:
            case string:
            case not null when typeof(T) == typeof(object) || typeof(T).IsPrimitive:
            {
                var avro = new AvroOutput(output);
                AvroGeneric.Write(Schema, value, ref avro);
                avro.Flush();
                return;
            }

            default:
            {
                AvroValueWriter<T> writer = WriterOf<T>();
                var avro = new AvroOutput(output);
                if (!writer.Write(value, ref avro))
                {
                    throw new StreamFormatException(avro.Describe());
                }

                avro.Flush();
                return;
            }
        }
    }

    /// <inheritdoc />
    public override bool TryReadControl(ReadOnlySpan<byte> record, out ControlRecord control) => AvroControl.TryRead(record, out control);

    /// <summary>
    /// Output streams skip the check for host records (POCOs) whose schema is a flat record (fields of primitive, enum and
    /// fixed types, and unions of them): the compiled writer writes only valid bytes for such a schema (ints of 32 bits,
    /// booleans 0 and 1, strict UTF-8, union branches and enum ordinals from the schema, fixed sizes checked) or fails,
    /// so the checker's skip-parse would accept every record it writes. Deeper schemas, bytes and JSON values are checked.
    /// </summary>
    internal override ValidEncoder<T>? CreateValidEncoder<T>(Schemas.SchemaChecker checker)
    {
        if (checker is not Schemas.AvroBinarySchemaChecker avro || !EmittedCode.IsSupported || !IsPocoType(typeof(T)) || !IsFlatRecord(Schema)
            || !(ReferenceEquals(avro.Schema, Schema) || avro.Schema.Equals(Schema)))
        {
            return null;
        }

        try
        {
            return new AvroValidEncoder<T>(WriterOf<T>());
        }
        catch (Exception ex) when (ex is NotSupportedException or StreamFormatException)
        {
            return null; // the type cannot be written: the usual way says why, record by record
        }
    }

    private static bool IsPocoType(Type type) =>
        !type.IsValueType && !type.IsArray && type != typeof(object) && type != typeof(string) && !typeof(JsonNode).IsAssignableFrom(type)
        && !typeof(GenericRecord).IsAssignableFrom(type) && type != typeof(GenericEnum) && type != typeof(GenericFixed)
        && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type);

    private static bool IsFlatRecord(Schema schema) =>
        schema is RecordSchema record && record.Fields.All(f => IsFlatValue(f.Schema, union: true));

    private static bool IsFlatValue(Schema schema, bool union) => schema.Tag switch
    {
        Schema.Type.Null or Schema.Type.Boolean or Schema.Type.Int or Schema.Type.Long or Schema.Type.Float or Schema.Type.Double
            or Schema.Type.String or Schema.Type.Bytes or Schema.Type.Enumeration or Schema.Type.Fixed => true,
        Schema.Type.Logical => IsFlatValue(((LogicalSchema)schema).BaseSchema, union),
        Schema.Type.Union => union && ((UnionSchema)schema).Schemas.All(s => IsFlatValue(s, union: false)),
        _ => false,
    };

    /// <summary>Writes POCOs with the compiled writer into an output batch; a value it cannot write leaves the batch as it was.</summary>
    private sealed class AvroValidEncoder<T>(AvroValueWriter<T> writer) : ValidEncoder<T>
    {
        public override bool TryEncodeValid(T value, IBufferWriter<byte> output)
        {
            if (output is not OutputBatch batch || value is null)
            {
                return false;
            }

            var avro = new AvroOutput(batch);
            bool written;
            try
            {
                written = writer.Write(value, ref avro);
            }
            catch (StreamFormatException)
            {
                written = false;
            }

            if (!written)
            {
                batch.AbandonRecord(); // what was written of it, if any (the usual way writes it again and says why)
                return false;
            }

            avro.Flush();
            return true;
        }
    }

    /// <inheritdoc />
    public override void WriteControl(ControlRecord control, IBufferWriter<byte> output) => AvroControl.Write(control, output);
}
