using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace FastScore.Streams.Encodings;

/// <summary>Decodes records that the codec proves valid against the bound schema (see <see cref="JsonPocoCodec{T}.TryReadValid"/>).</summary>
internal sealed class ValidatingReader<T>(JsonPocoCodec<T> codec, ulong required) : CheckingDecoder<T>
{
    /// <summary>Decodes the record when it is certainly valid; otherwise the caller checks and decodes it as usual.</summary>
    public override bool TryDecodeValid(ReadOnlySpan<byte> record, out T value) => codec.TryReadValid(record, required, out value);
}

/// <summary>Writes records valid by construction for the bound schema (see <see cref="JsonPocoCodec{T}.TryWriteValid"/>).</summary>
internal sealed class ValidatingWriter<T>(JsonPocoCodec<T> codec) : ValidEncoder<T>
{
    public override bool TryEncodeValid(T value, IBufferWriter<byte> output) => codec.TryWriteValid(value, output);
}

/// <summary>The last (options, metadata, fast codec) used for a type; replaced as a whole, so reads are consistent.</summary>
internal sealed class TypeInfoCache<T>(JsonSerializerOptions options, JsonTypeInfo<T>? info, JsonPocoCodec<T>? codec)
{
    private JsonTypeInfo<T>? _info = info;

    public static TypeInfoCache<T>? Last { get; set; }

    public JsonSerializerOptions Options { get; } = options;

    /// <summary>Gets the serializer's contract for the type, built on first use when the codec was built without it
    /// (the options cache it, so every caller gets the same instance; it throws as <see cref="JsonSerializerOptions.GetTypeInfo"/> does).</summary>
    public JsonTypeInfo<T> Info => _info ??= (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));

    /// <summary>Gets the fast path for flat POCOs, or <see langword="null"/> when the type needs the serializer.</summary>
    public JsonPocoCodec<T>? Codec { get; } = codec;
}

/// <summary>How <see cref="JsonRecordEncoding"/> treats a host type.</summary>
internal enum HostKind
{
    Other,
    Bytes,
    JsonElement,
    JsonNode,
    String,
}

/// <summary>The <see cref="HostKind"/> of <typeparamref name="T"/>, computed once.</summary>
internal static class HostKindOf<T>
{
    public static readonly HostKind Value =
        typeof(T) == typeof(byte[]) || typeof(T) == typeof(ReadOnlyMemory<byte>) || typeof(T) == typeof(Memory<byte>) ? HostKind.Bytes
        : typeof(T) == typeof(JsonElement) ? HostKind.JsonElement
        : typeof(JsonNode).IsAssignableFrom(typeof(T)) ? HostKind.JsonNode
        : typeof(T) == typeof(string) ? HostKind.String
        : HostKind.Other;
}
