using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Schemas;

namespace FastScore.Streams.Encodings;

/// <summary>
/// The <c>json</c> encoding (System.Text.Json): each record is one JSON value.
/// </summary>
/// <remarks>
/// <para>Host types:</para>
/// <list type="bullet">
/// <item><description><see cref="JsonElement"/>, <see cref="JsonNode"/> (and its subclasses): the parsed value, without reflection.</description></item>
/// <item><description><see cref="string"/>: the value of a JSON string record (<c>"abc"</c> decodes to <c>abc</c>); encoding a string writes a JSON string. Use <c>byte[]</c> or <see cref="JsonElement"/> for the raw JSON text of other values.</description></item>
/// <item><description><c>byte[]</c>, <see cref="ReadOnlyMemory{T}"/>/<see cref="Memory{T}"/> of <see cref="byte"/>: the record's bytes as they are, not parsed; encoding writes them unchanged (they must already be JSON).</description></item>
/// <item><description>anything else: <see cref="JsonSerializer"/> with the <see cref="SerializerOptions"/> (so a source-generated resolver works).</description></item>
/// </list>
/// <para>Records are always written on one line (<see cref="JsonSerializerOptions.WriteIndented"/> is ignored), because a
/// line break would cut a record in two in the default newline-delimited envelope.</para>
/// <para>Control records are JSON objects with a <c>"$fastscore"</c> key: <c>{"$fastscore":"end"}</c> (or <c>set</c>,
/// <c>pig</c>) with optional <c>id</c>, <c>timestamp</c> and <c>misc</c> keys.</para>
/// <para>The encoding is stateless and thread-safe; cache one instance per set of options.</para>
/// </remarks>
public sealed class JsonRecordEncoding : RecordEncoding
{
    [ThreadStatic]
    private static Utf8JsonWriter? s_cachedWriter;

    [ThreadStatic]
    private static JsonRecordEncoding? s_cachedWriterOwner;

    private static readonly ArrayBufferWriter<byte> s_detached = new(1);

    private const string ReflectionJustification =
        "The reflection resolver is used only where JsonSerializer.IsReflectionEnabledByDefault is true, as JsonSerializer itself does; "
        + "the feature switch is false under PublishAot and PublishTrimmed unless the application turns reflection back on.";

    // The default options where reflection is off: no metadata for any type (JsonElement, JsonNode, strings and bytes need none).
    private static readonly JsonSerializerOptions s_withoutReflection = new() { TypeInfoResolver = JsonTypeInfoResolver.Combine() };

    // Bytes a JsonElement's text may hold for Utf8JsonWriter (default or relaxed escaping) to write it back unchanged:
    // printable ASCII without whitespace, escapes, comments ('/'), or the characters the default encoder escapes.
    private static readonly SearchValues<byte> s_verbatimBytes = SearchValues.Create(
        "!\"#$%()*,-.0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_abcdefghijklmnopqrstuvwxyz{|}~"u8);

    private readonly JsonSerializerOptions _options;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Type, object> _metadata = new();
    private readonly JsonReaderOptions _readerOptions;
    private readonly JsonWriterOptions _writerOptions;
    private readonly JsonDocumentOptions _documentOptions;
    private readonly JsonNodeOptions _nodeOptions;
    private readonly bool _verbatimElements;

    /// <summary>Creates the encoding.</summary>
    /// <param name="options">The serializer options for host types; <see langword="null"/> for
    /// <see cref="JsonSerializerOptions.Default"/> (case-sensitive property names, numbers only as JSON numbers).
    /// The options are made read-only, as <see cref="JsonSerializer"/> does on first use; without a
    /// <see cref="JsonSerializerOptions.TypeInfoResolver"/> the reflection-based one is filled in. Where reflection is
    /// off (Native AOT and trimmed applications, <c>JsonSerializerIsReflectionEnabledByDefault=false</c>), give options
    /// whose resolver is a source-generated <c>JsonSerializerContext</c> for POCOs; <see langword="null"/> then serves
    /// <see cref="JsonElement"/>, <see cref="JsonNode"/>, strings and bytes only.</param>
    /// <exception cref="InvalidOperationException">Reflection is off and <paramref name="options"/> has no resolver.</exception>
    public JsonRecordEncoding(JsonSerializerOptions? options = null)
    {
        _options = options ?? DefaultOptions();
        if (!_options.IsReadOnly)
        {
            // As JsonSerializer does on first use: freeze the options and fill in the reflection resolver if none is set.
            Freeze(_options);
        }

        int maxDepth = _options.MaxDepth == 0 ? 64 : _options.MaxDepth;
        _readerOptions = new JsonReaderOptions
        {
            AllowTrailingCommas = _options.AllowTrailingCommas,
            CommentHandling = _options.ReadCommentHandling,
            MaxDepth = maxDepth,
        };
        _documentOptions = new JsonDocumentOptions
        {
            AllowTrailingCommas = _options.AllowTrailingCommas,
            CommentHandling = _options.ReadCommentHandling,
            MaxDepth = maxDepth,
        };
        _writerOptions = new JsonWriterOptions { Encoder = _options.Encoder, Indented = false, MaxDepth = maxDepth };
        _verbatimElements = _options.Encoder is null
            || ReferenceEquals(_options.Encoder, JavaScriptEncoder.Default)
            || ReferenceEquals(_options.Encoder, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        _nodeOptions = new JsonNodeOptions { PropertyNameCaseInsensitive = _options.PropertyNameCaseInsensitive };
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = ReflectionJustification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = ReflectionJustification)]
    private static JsonSerializerOptions DefaultOptions() =>
        JsonSerializer.IsReflectionEnabledByDefault ? JsonSerializerOptions.Default : s_withoutReflection;

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = ReflectionJustification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = ReflectionJustification)]
    private static void Freeze(JsonSerializerOptions options)
    {
        if (JsonSerializer.IsReflectionEnabledByDefault)
        {
            options.MakeReadOnly(populateMissingResolver: true);
        }
        else
        {
            options.MakeReadOnly(); // as JsonSerializer does without reflection: a missing resolver is an error
        }
    }

    /// <summary>Gets the instance with the default options.</summary>
    public static JsonRecordEncoding Default { get; } = new();

    /// <summary>Gets the serializer options used for host types.</summary>
    public JsonSerializerOptions SerializerOptions => _options;

    /// <inheritdoc />
    public override string? Name => EncodingTypes.Json;

    /// <inheritdoc />
    internal override bool HandsBytesUnchanged => true;

    /// <inheritdoc />
    public override T Decode<T>(ReadOnlySpan<byte> record)
    {
        // The host type's kind is worked out once per type, so POCOs pay one static read here.
        HostKind kind = HostKindOf<T>.Value;
        if (kind == HostKind.Other)
        {
            TypeInfoCache<T> cache = Metadata<T>();
            if (cache.Codec is { } codec && codec.TryRead(record, out T value))
            {
                return value; // a flat POCO in the common shape: read in one pass (exactly as the serializer would)
            }

            JsonTypeInfo<T> info = cache.Info; // outside the try: a type the serializer cannot handle says so as it always has
            try
            {
                return JsonSerializer.Deserialize(record, info)!;
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                // InvalidOperationException: text the reader cannot unescape (an unpaired surrogate in a key or string).
                throw Invalid<T>(ex);
            }
        }

        return DecodeSpecial<T>(record, kind);
    }

    private T DecodeSpecial<T>(ReadOnlySpan<byte> record, HostKind kind)
    {
        if (kind == HostKind.Bytes && ByteValues.TryDecode(record, out T raw))
        {
            return raw;
        }

        try
        {
            switch (kind)
            {
                case HostKind.JsonElement:
                    return (T)(object)ParseElement(record);

                case HostKind.JsonNode:
                {
                    JsonNode? node = JsonNode.Parse(record, _nodeOptions, _documentOptions);
                    return node is null or T
                        ? (T)(object)node!
                        : throw new StreamFormatException($"The record is a JSON {node.GetValueKind()}, not a {typeof(T).Name}.");
                }

                default:
                    return (T)(object)DecodeString(record)!;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw Invalid<T>(ex);
        }
    }

    // One pass over a pooled copy, then a compact clone: about twice as fast as JsonElement.ParseValue, which reads the
    // value once to find its end and then parses it again. Same options, same errors (JsonException).
    private JsonElement ParseElement(ReadOnlySpan<byte> record)
    {
        byte[] copy = ArrayPool<byte>.Shared.Rent(record.Length);
        try
        {
            record.CopyTo(copy);
            using JsonDocument document = JsonDocument.Parse(copy.AsMemory(0, record.Length), _documentOptions);
            return document.RootElement.Clone();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    // Writes an element's own text when Utf8JsonWriter would write exactly the same bytes: no whitespace, comments or
    // trailing commas to drop, no escapes to re-encode, nothing the encoder escapes (checked over the bytes, vectorized).
    private bool TryWriteVerbatim(JsonElement element, IBufferWriter<byte> output)
    {
        if (!_verbatimElements || element.ValueKind == JsonValueKind.Undefined)
        {
            return false;
        }

        ReadOnlySpan<byte> text = JsonMarshal.GetRawUtf8Value(element);
        if (text.IsEmpty || text.ContainsAnyExcept(s_verbatimBytes) || text.IndexOf(",}"u8) >= 0 || text.IndexOf(",]"u8) >= 0)
        {
            return false;
        }

        output.Write(text);
        return true;
    }

    private static StreamFormatException Invalid<T>(Exception ex) =>
        new($"The record is not valid JSON for {typeof(T).Name}: {(ex is JsonException json ? Descriptors.Json.JsonErrors.ForRecord(json) : ex.Message)}", ex);

    /// <inheritdoc />
    public override void Encode<T>(T value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (ByteValues.TryEncode(value, output))
        {
            return;
        }

        if (HostKindOf<T>.Value == HostKind.Other && Metadata<T>().Codec is { } codec && codec.TryWrite(value, output))
        {
            return; // a flat POCO: written in one pass (exactly as the serializer would)
        }

        if (typeof(T) == typeof(JsonElement) && TryWriteVerbatim((JsonElement)(object)value!, output))
        {
            return; // compact, plain-ASCII JSON text: the writer would produce these very bytes
        }

        Utf8JsonWriter writer = RentWriter(output);
        try
        {
            WriteValue(writer, value);
            writer.Flush();
        }
        catch (JsonException ex)
        {
            throw new StreamFormatException($"The {typeof(T).Name} value cannot be encoded as JSON: {ex.Message}", ex);
        }
        finally
        {
            ReturnWriter(writer);
        }
    }

    /// <inheritdoc />
    /// <remarks>For a flat POCO (see <see cref="JsonPocoCodec{T}"/>) and a checker whose <see cref="SchemaChecker.Standard"/>
    /// check is <c>json</c> against a flat record schema (or JSON syntax only): the codec that reads a record proves it valid
    /// in the same pass (docs/schemas.md, "Checking and decoding in one pass").</remarks>
    internal override CheckingDecoder<T>? CreateCheckingDecoder<T>(SchemaChecker checker) =>
        IsJsonCheck(checker, out Avro.Schema? schema) ? CreateValidatingReader<T>(schema) : null;

    /// <inheritdoc />
    /// <remarks>For a flat POCO whose properties are all fields of the checker's flat record schema, of types that accept
    /// every value the property holds (or for JSON syntax only).</remarks>
    internal override ValidEncoder<T>? CreateValidEncoder<T>(SchemaChecker checker) =>
        IsJsonCheck(checker, out Avro.Schema? schema) && CreateValidatingWriter<T>(schema) is { } codec ? new ValidatingWriter<T>(codec) : null;

    private static bool IsJsonCheck(SchemaChecker checker, out Avro.Schema? schema)
    {
        ArgumentNullException.ThrowIfNull(checker);
        StandardCheck? standard = checker.Standard;
        schema = standard?.Schema;
        return standard is not null && string.Equals(standard.Encoding, EncodingTypes.Json, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// A reader that decodes <typeparamref name="T"/> records and proves them valid against <paramref name="schema"/> in
    /// the same pass (see <see cref="JsonPocoCodec{T}.BindReader"/>), or <see langword="null"/> when the type or schema
    /// needs the usual check and decode.
    /// </summary>
    internal ValidatingReader<T>? CreateValidatingReader<T>(Avro.Schema? schema) =>
        HostKindOf<T>.Value == HostKind.Other && TryGetCodec<T>() is { } codec && codec.BindReader(schema) is { } required
            ? new ValidatingReader<T>(codec, required)
            : null;

    /// <summary>
    /// A writer whose <typeparamref name="T"/> records are valid against <paramref name="schema"/> by construction (see
    /// <see cref="JsonPocoCodec{T}.BindWriter"/>), or <see langword="null"/> when the type or schema needs the usual
    /// encode and check.
    /// </summary>
    internal JsonPocoCodec<T>? CreateValidatingWriter<T>(Avro.Schema? schema) =>
        HostKindOf<T>.Value == HostKind.Other && TryGetCodec<T>() is { } codec && codec.BindWriter(schema) ? codec : null;

    /// <summary>The fast codec for <typeparamref name="T"/>, or <see langword="null"/>, also when the serializer has no
    /// contract for the type (then decoding or encoding a value says why, and the record is rejected by encoding).</summary>
    private JsonPocoCodec<T>? TryGetCodec<T>()
    {
        try
        {
            return Metadata<T>().Codec;
        }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or ArgumentException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public override bool TryReadControl(ReadOnlySpan<byte> record, out ControlRecord control)
    {
        control = default;
        int i = 0;
        while (i < record.Length && record[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        if (i == record.Length || record[i] != (byte)'{' || !HasControlKey(record))
        {
            return false;
        }

        return TryParseControl(record, out control);
    }

    // Whether "$fastscore" (quotes included) stands in the record. Searched for from its rare '$' (a search for the whole
    // key starts from its opening quote, which every key in every record has), then the quote before it is checked.
    private static bool HasControlKey(ReadOnlySpan<byte> record)
    {
        int at;
        while ((at = record.IndexOf("$fastscore\""u8)) >= 0)
        {
            if (at > 0 && record[at - 1] == (byte)'"')
            {
                return true;
            }

            record = record[(at + 1)..];
        }

        return false;
    }

    /// <inheritdoc />
    public override void WriteControl(ControlRecord control, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Utf8JsonWriter writer = RentWriter(output);
        try
        {
            writer.WriteStartObject();
            writer.WriteString("$fastscore"u8, ControlWire.KindBytes(control.Kind));
            if (control.Id is int id)
            {
                writer.WriteNumber("id"u8, id);
            }

            if (control.Timestamp is long timestamp)
            {
                writer.WriteNumber("timestamp"u8, timestamp);
            }

            if (control.Misc is not null)
            {
                writer.WriteString("misc"u8, control.Misc);
            }

            writer.WriteEndObject();
            writer.Flush();
        }
        finally
        {
            ReturnWriter(writer);
        }
    }

    private void WriteValue<T>(Utf8JsonWriter writer, T value)
    {
        if (typeof(T) == typeof(JsonElement))
        {
            ((JsonElement)(object)value!).WriteTo(writer);
            return;
        }

        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case JsonNode n:
                n.WriteTo(writer, _options);
                break;
            default:
                JsonSerializer.Serialize(writer, value, TypeInfo<T>());
                break;
        }
    }

    private string? DecodeString(ReadOnlySpan<byte> record)
    {
        var reader = new Utf8JsonReader(record, _readerOptions);
        reader.Read();
        string? value = reader.TokenType switch
        {
            JsonTokenType.String => GetString(ref reader),
            JsonTokenType.Null => null,
            _ => throw new StreamFormatException(
                $"The record is a JSON {reader.TokenType}, not a string; decode to JsonElement or byte[] to get other values."),
        };
        EnsureEnd(ref reader);
        return value;
    }

    private static string GetString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new StreamFormatException($"The record's string is not valid UTF-8: {ex.Message}", ex);
        }
    }

    private static void EnsureEnd(ref Utf8JsonReader reader)
    {
        if (reader.Read())
        {
            throw new StreamFormatException("The record has data after its JSON value.");
        }
    }

    private bool TryParseControl(ReadOnlySpan<byte> record, out ControlRecord control)
    {
        control = default;
        ControlKind kind = ControlKind.None;
        int? id = null;
        long? timestamp = null;
        string? misc = null;
        try
        {
            var reader = new Utf8JsonReader(record, _readerOptions);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("$fastscore"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || !ControlWire.TryParseKind(reader.ValueSpan, out kind))
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    id = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int i) ? i : null;
                }
                else if (reader.ValueTextEquals("timestamp"u8))
                {
                    reader.Read();
                    timestamp = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long t) ? t : null;
                }
                else if (reader.ValueTextEquals("misc"u8))
                {
                    reader.Read();
                    misc = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (kind == ControlKind.None || reader.Read())
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return false;
        }

        control = new ControlRecord(kind, id, timestamp, misc);
        return true;
    }

    private JsonTypeInfo<T> TypeInfo<T>() => Metadata<T>().Info;

    // The options' metadata for T (and its fast codec), remembered per T for the last options used (one reference read on the hot path).
    private TypeInfoCache<T> Metadata<T>()
    {
        TypeInfoCache<T>? cached = TypeInfoCache<T>.Last;
        if (cached is not null && ReferenceEquals(cached.Options, _options))
        {
            return cached;
        }

        // Other options were used last (several encodings, one type): this encoding's own entry, built once.
        cached = (TypeInfoCache<T>)_metadata.GetOrAdd(typeof(T), static (_, options) =>
        {
            // A plain class with the default options: the codec is built without the serializer's contract, which is then
            // built only if a record needs the serializer (JsonPocoCodec.Plain.cs).
            if (HostKindOf<T>.Value == HostKind.Other && JsonPocoCodec<T>.TryCreatePlain(options, out JsonPocoCodec<T>? plain))
            {
                return new TypeInfoCache<T>(options, null, plain);
            }

            var info = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
            return new TypeInfoCache<T>(options, info, HostKindOf<T>.Value == HostKind.Other ? JsonPocoCodec<T>.TryCreate(info) : null);
        }, _options);
        TypeInfoCache<T>.Last = cached;
        return cached;
    }

    private Utf8JsonWriter RentWriter(IBufferWriter<byte> output)
    {
        Utf8JsonWriter? writer = s_cachedWriter;
        if (writer is not null && ReferenceEquals(s_cachedWriterOwner, this))
        {
            s_cachedWriter = null;
            writer.Reset(output);
            return writer;
        }

        return new Utf8JsonWriter(output, _writerOptions);
    }

    private void ReturnWriter(Utf8JsonWriter writer)
    {
        writer.Reset(s_detached);
        s_cachedWriter = writer;
        s_cachedWriterOwner = this;
    }
}
