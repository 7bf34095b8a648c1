using System.Buffers;
using System.Globalization;
using System.Text;
using EncodingProvider = FastScore.Streams.Encodings.EncodingProvider;
using FastScore.Streams;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Encodings;

namespace FastScore.Samples.Plugin;

/// <summary>
/// The <c>kv</c> encoding's descriptor: a record is <c>key=value</c> pairs joined by <see cref="Separator"/>
/// (<c>sepal_length=5.1;species=setosa</c>). Written as the bare name <c>"kv"</c> with the default separator, else as
/// <c>{"Type": "kv", "Separator": "&amp;"}</c>.
/// </summary>
public sealed record KvEncodingDescriptor : EncodingDescriptor
{
    /// <summary>The encoding's type name.</summary>
    public const string TypeName = "kv";

    /// <summary>The default separator.</summary>
    public const string DefaultSeparator = ";";

    /// <summary>Creates the descriptor.</summary>
    public KvEncodingDescriptor() : base(TypeName) { }

    /// <summary>Gets the character between pairs: one printable ASCII character other than <c>=</c>, <c>%</c> and a space.</summary>
    /// <value>The default value is <c>";"</c>.</value>
    public string Separator { get; init; } = DefaultSeparator;

    /// <inheritdoc />
    public override bool IsSelfDelimiting => false;

    /// <inheritdoc />
    protected override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Separator is not [char c] || c is <= ' ' or >= (char)0x7F or '=' or '%')
        {
            errors.Add("Separator", $"must be one printable ASCII character other than '=', '%' and a space; found {DescriptorErrors.Quote(Separator ?? string.Empty)}.");
        }
    }

    /// <inheritdoc />
    protected override void Write(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (Separator == DefaultSeparator)
        {
            writer.Json.WriteStringValue(Type);
            return;
        }

        writer.Json.WriteStartObject();
        writer.WriteString("Type", Type);
        writer.WriteString("Separator", Separator);
        writer.Json.WriteEndObject();
    }
}

/// <summary>
/// The <c>kv</c> encoding. Records are untyped (a schema is not allowed), delimited by lines unless the descriptor
/// names an envelope.
/// </summary>
public sealed class KvEncodingProvider : EncodingProvider
{
    /// <inheritdoc />
    public override string Type => KvEncodingDescriptor.TypeName;

    /// <inheritdoc />
    public override IReadOnlyList<ComponentAlias> Aliases { get; } = [new("key-value"), new("keyvalue", "write 'kv'")];

    /// <inheritdoc />
    /// <remarks>A literal whose data name ends in <c>.kv</c> (<c>gzip:/d/in.kv.gz</c>, <c>file:/d/in.kv</c>) uses kv.</remarks>
    public override IReadOnlyList<string> FileEndings { get; } = [".kv"];

    /// <inheritdoc />
    public override IReadOnlyList<string> Fields { get; } = ["Separator"];

    /// <inheritdoc />
    /// <remarks>kv records carry their own field names; an Avro schema does not describe them.</remarks>
    public override SchemaUse SchemaUse => SchemaUse.Forbidden;

    /// <inheritdoc />
    protected override EncodingDescriptor Read(DescriptorFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return new KvEncodingDescriptor { Separator = fields.OptionalString("Separator") ?? KvEncodingDescriptor.DefaultSeparator };
    }

    /// <inheritdoc />
    public override RecordEncoding CreateEncoding(EncodingDescriptor? encoding, ComponentContext context) =>
        new KvRecordEncoding(encoding is KvEncodingDescriptor kv ? (byte)kv.Separator[0] : (byte)';');
}

/// <summary>
/// <c>key=value</c> pairs joined by a separator; <c>%</c>, <c>=</c>, the separator and control characters inside keys
/// and values are percent-escaped (<c>%3D</c>). Keys are unique and not empty; the empty record is the empty map.
/// Decodes to <see cref="Dictionary{TKey,TValue}"/> of strings (also as <see cref="IReadOnlyDictionary{TKey,TValue}"/>,
/// <see cref="IDictionary{TKey,TValue}"/> or <see cref="object"/>), in the record's order; encodes any
/// <see cref="IEnumerable{T}"/> of string pairs.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public sealed class KvRecordEncoding : RecordEncoding
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly byte _separator;

    /// <summary>Creates the encoding.</summary>
    /// <param name="separator">The byte between pairs.</param>
    public KvRecordEncoding(byte separator = (byte)';') => _separator = separator;

    /// <inheritdoc />
    public override string? Name => KvEncodingDescriptor.TypeName;

    /// <inheritdoc />
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not a dictionary of strings or <see cref="object"/>.</exception>
    public override T Decode<T>(ReadOnlySpan<byte> record)
    {
        if (typeof(T) != typeof(Dictionary<string, string>) && typeof(T) != typeof(IReadOnlyDictionary<string, string>)
            && typeof(T) != typeof(IDictionary<string, string>) && typeof(T) != typeof(object))
        {
            throw new NotSupportedException($"The kv encoding decodes to a dictionary of strings, not {typeof(T)}.");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int start = 0; start < record.Length;)
        {
            // one separator may end the record
            int length = record[start..].IndexOf(_separator);
            int end = length < 0 ? record.Length : start + length;
            ReadPair(record[start..end], start, map);
            start = end + 1;
        }

        return (T)(object)map;
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not a sequence of string pairs.</exception>
    public override void Encode<T>(T value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (value is not IEnumerable<KeyValuePair<string, string>> pairs)
        {
            throw value is null
                ? new StreamFormatException("A null value cannot be encoded as kv.")
                : new NotSupportedException($"The kv encoding writes string pairs (a dictionary of strings), not {typeof(T)}.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        bool first = true;
        foreach (KeyValuePair<string, string> pair in pairs)
        {
            if (string.IsNullOrEmpty(pair.Key))
            {
                throw new StreamFormatException("A kv key cannot be empty.");
            }

            if (!seen.Add(pair.Key))
            {
                throw new StreamFormatException($"The kv key '{pair.Key}' occurs twice.");
            }

            if (!first)
            {
                WriteByte(output, _separator);
            }

            first = false;
            WriteEscaped(pair.Key, output);
            WriteByte(output, (byte)'=');
            WriteEscaped(pair.Value ?? string.Empty, output);
        }
    }

    private static void ReadPair(ReadOnlySpan<byte> pair, int at, Dictionary<string, string> map)
    {
        int equals = pair.IndexOf((byte)'=');
        if (equals < 0)
        {
            throw Bad(at, $"'{Preview(pair)}' has no '='");
        }

        if (equals == 0)
        {
            throw Bad(at, "a key is empty");
        }

        string key = Unescape(pair[..equals], at);
        string value = Unescape(pair[(equals + 1)..], at + equals + 1);
        if (!map.TryAdd(key, value))
        {
            throw Bad(at, $"the key '{key}' occurs twice");
        }
    }

    private static string Unescape(ReadOnlySpan<byte> text, int at)
    {
        int escape = text.IndexOf((byte)'%');
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] < 0x20 || text[i] == 0x7F)
            {
                throw Bad(at + i, $"control byte 0x{text[i]:X2} (escape it as %{text[i]:X2})");
            }

            if (text[i] == (byte)'=')
            {
                throw Bad(at + i, "a second '=' in a pair (escape it as %3D)");
            }
        }

        byte[]? rented = null;
        ReadOnlySpan<byte> bytes = text;
        if (escape >= 0)
        {
            rented = ArrayPool<byte>.Shared.Rent(text.Length);
            int n = 0;
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] != (byte)'%')
                {
                    rented[n++] = text[i];
                    continue;
                }

                if (!IsHex(text, i + 1) || !IsHex(text, i + 2))
                {
                    ArrayPool<byte>.Shared.Return(rented);
                    throw Bad(at + i, "'%' is not followed by two hex digits");
                }

                rented[n++] = (byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2]));
                i += 2;
            }

            bytes = rented.AsSpan(0, n);
        }

        try
        {
            return s_strictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw Bad(at + Math.Max(0, ex.Index), "the text is not valid UTF-8");
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private void WriteEscaped(string text, IBufferWriter<byte> output)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[] rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            int length = Encoding.UTF8.GetBytes(text, rented);
            Span<byte> destination = output.GetSpan(length * 3);
            int n = 0;
            foreach (byte b in rented.AsSpan(0, length))
            {
                if (b < 0x20 || b == 0x7F || b == (byte)'%' || b == (byte)'=' || b == _separator)
                {
                    destination[n++] = (byte)'%';
                    destination[n++] = Hex(b >> 4);
                    destination[n++] = Hex(b & 0xF);
                }
                else
                {
                    destination[n++] = b;
                }
            }

            output.Advance(n);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void WriteByte(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }

    private static bool IsHex(ReadOnlySpan<byte> text, int i) => i < text.Length && char.IsAsciiHexDigit((char)text[i]);

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    private static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'A' + nibble - 10);

    private static string Preview(ReadOnlySpan<byte> pair)
    {
        ReadOnlySpan<byte> head = pair.Length > 40 ? pair[..40] : pair;
        var text = new StringBuilder(head.Length);
        foreach (byte b in head)
        {
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        }

        return pair.Length > 40 ? text.Append('…').ToString() : text.ToString();
    }

    private static StreamFormatException Bad(int at, string reason) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Not a kv record: {reason} (at byte {at} of the record)."));
}
