using System.Buffers;
using System.Text;
using FastScore.Streams.Encodings.AvroBinary;

namespace FastScore.Streams.Envelopes.Ocf;

/// <summary>
/// The header of an Avro object container file: the magic <c>Obj\x01</c>, the metadata map (<c>avro.schema</c>,
/// <c>avro.codec</c>, and any other keys) and the 16-byte sync marker.
/// </summary>
internal sealed class OcfHeader
{
    /// <summary>The four bytes every container file starts with.</summary>
    public static ReadOnlySpan<byte> Magic => "Obj\u0001"u8;

    /// <summary>The length of a sync marker.</summary>
    public const int SyncLength = 16;

    /// <summary>The longest header read (a guard: the metadata map is normally a few kilobytes).</summary>
    public const int MaxLength = 16 * 1024 * 1024;

    private OcfHeader(Avro.Schema schema, string codec, byte[] sync, IReadOnlyDictionary<string, byte[]> metadata, int length)
    {
        Schema = schema;
        Codec = codec;
        Sync = sync;
        Metadata = metadata;
        Length = length;
    }

    /// <summary>Gets the writer's schema (<c>avro.schema</c>).</summary>
    public Avro.Schema Schema { get; }

    /// <summary>Gets the codec (<c>avro.codec</c>; <c>null</c> when absent).</summary>
    public string Codec { get; }

    /// <summary>Gets the sync marker.</summary>
    public byte[] Sync { get; }

    /// <summary>Gets every metadata entry.</summary>
    public IReadOnlyDictionary<string, byte[]> Metadata { get; }

    /// <summary>Gets the header's length in bytes.</summary>
    public int Length { get; }

    /// <summary>
    /// Reads a header from the start of <paramref name="data"/>: <see cref="OperationStatus.Done"/> with the header,
    /// <see cref="OperationStatus.NeedMoreData"/> when <paramref name="data"/> ends inside it, or
    /// <see cref="OperationStatus.InvalidData"/> with the reason. Never throws.
    /// </summary>
    public static OperationStatus TryRead(ReadOnlySpan<byte> data, out OcfHeader? header, out string? error)
    {
        header = null;
        error = null;
        if (data.Length < Magic.Length)
        {
            return Magic.StartsWith(data) ? OperationStatus.NeedMoreData : Invalid(out error, "not an Avro container file (no 'Obj' magic at byte 0)");
        }

        if (!data.StartsWith(Magic))
        {
            return Invalid(out error, "not an Avro container file (no 'Obj' magic at byte 0)");
        }

        var cursor = new AvroCursor(data) { Position = Magic.Length };
        var metadata = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (true)
        {
            if (!cursor.ReadBlockCount(2, out long count))
            {
                return cursor.Truncated ? OperationStatus.NeedMoreData : Invalid(out error, "the header's metadata: " + cursor.Describe());
            }

            if (count == 0)
            {
                break;
            }

            for (long i = 0; i < count; i++)
            {
                if (!cursor.ReadString(out string? key) || !cursor.ReadSpan(out ReadOnlySpan<byte> value))
                {
                    return cursor.Truncated ? OperationStatus.NeedMoreData : Invalid(out error, "the header's metadata: " + cursor.Describe());
                }

                metadata[key!] = value.ToArray();
            }
        }

        if (!cursor.ReadFixed(SyncLength, out ReadOnlySpan<byte> sync))
        {
            return OperationStatus.NeedMoreData;
        }

        if (!metadata.TryGetValue("avro.schema", out byte[]? schemaJson))
        {
            return Invalid(out error, "the header has no avro.schema");
        }

        Avro.Schema schema;
        try
        {
            schema = Avro.Schema.Parse(Encoding.UTF8.GetString(schemaJson));
        }
        catch (Exception ex) when (ex is Avro.AvroException or Newtonsoft.Json.JsonException or ArgumentException or FormatException or InvalidOperationException or NullReferenceException or InvalidCastException)
        {
            return Invalid(out error, "the header's avro.schema is not a valid Avro schema: " + ex.Message);
        }

        if (!AvroSchemas.IsComplete(schema))
        {
            return Invalid(out error, "the header's avro.schema is not a complete Avro schema");
        }

        string codec = metadata.TryGetValue("avro.codec", out byte[]? codecName) ? Encoding.UTF8.GetString(codecName) : "null";
        header = new OcfHeader(schema, codec, sync.ToArray(), metadata, cursor.Position);
        return OperationStatus.Done;
    }

    private static OperationStatus Invalid(out string error, string message)
    {
        error = message;
        return OperationStatus.InvalidData;
    }

    /// <summary>Writes a header.</summary>
    public static void Write(IBufferWriter<byte> output, Avro.Schema schema, string codec, ReadOnlySpan<byte> sync, IReadOnlyDictionary<string, byte[]>? metadata = null)
    {
        var avro = new AvroOutput(output);
        avro.WriteFixed(Magic);
        var entries = new List<KeyValuePair<string, byte[]>>
        {
            new("avro.schema", Encoding.UTF8.GetBytes(schema.ToString())),
            new("avro.codec", Encoding.UTF8.GetBytes(codec)),
        };
        if (metadata is not null)
        {
            entries.AddRange(metadata.Where(m => m.Key is not ("avro.schema" or "avro.codec")));
        }

        avro.WriteLong(entries.Count);
        foreach (KeyValuePair<string, byte[]> entry in entries)
        {
            avro.WriteString(entry.Key);
            avro.WriteBytes(entry.Value);
        }

        avro.WriteLong(0);
        avro.WriteFixed(sync);
        avro.Flush();
    }
}
