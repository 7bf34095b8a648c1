using System.Buffers;
using System.Text;

namespace FastScore.Streams.Encodings.AvroBinary;

/// <summary>
/// Control records (end, set, pig) in avro-binary: the Avro binary of a record
/// <c>{string kind, long id, long timestamp, string misc}</c> whose kind is <c>"$fastscore.end"</c>, <c>".set"</c> or
/// <c>".pig"</c> — the 18 bytes FastScore's Python runner writes for a set marker,
/// <c>1C 24 66 61 73 74 73 63 6F 72 65 2E 73 65 74 00 00 00</c> (docs/envelopes-encodings.md).
/// </summary>
/// <remarks>
/// Absent properties are written as 0, 0 and "" (as the runner writes them), so they read back as absent: an id or a
/// timestamp of 0 and an empty misc are read as absent. A framed record (a Kafka message, one record of a container
/// file) that is only the kind string is a control record too.
/// </remarks>
internal static class AvroControl
{
    // zigzag(14) = 0x1C, then "$fastscore."
    private static ReadOnlySpan<byte> Prefix => [0x1C, (byte)'$', (byte)'f', (byte)'a', (byte)'s', (byte)'t', (byte)'s', (byte)'c', (byte)'o', (byte)'r', (byte)'e', (byte)'.'];

    private const int KindLength = 15; // the prefix and the three letters of the kind

    /// <summary>Whether the bytes start like a control record (cheap: most records are turned away on the first bytes).</summary>
    public static bool StartsLikeControl(ReadOnlySpan<byte> data) =>
        data.Length >= KindLength && data.StartsWith(Prefix) && ControlWire.TryParseKind(data.Slice(12, 3), out _);

    /// <summary>
    /// Measures the control record at the start of <paramref name="data"/> (for a self-delimiting stream): its length, or
    /// -1 when the bytes are not one, or 0 when more bytes are needed to tell.
    /// </summary>
    public static int Measure(ReadOnlySpan<byte> data, out ControlRecord control)
    {
        control = default;
        if (data.Length < KindLength)
        {
            return data.Length > 0 && Prefix.StartsWith(data[..Math.Min(data.Length, Prefix.Length)]) ? 0 : -1;
        }

        if (!StartsLikeControl(data))
        {
            return -1;
        }

        var cursor = new AvroCursor(data) { Position = KindLength };
        if (!ReadProperties(ref cursor, data, out control))
        {
            return cursor.Truncated ? 0 : -1;
        }

        return cursor.Position;
    }

    /// <summary>Recognises a whole record that is a control record.</summary>
    public static bool TryRead(ReadOnlySpan<byte> record, out ControlRecord control)
    {
        control = default;
        if (!StartsLikeControl(record))
        {
            return false;
        }

        if (record.Length == KindLength)
        {
            control = new ControlRecord(KindOf(record));
            return true;
        }

        var cursor = new AvroCursor(record) { Position = KindLength };
        return ReadProperties(ref cursor, record, out control) && cursor.AtEnd;
    }

    private static bool ReadProperties(ref AvroCursor cursor, ReadOnlySpan<byte> data, out ControlRecord control)
    {
        control = default;
        ControlKind kind = KindOf(data);
        if (!cursor.ReadLong(out long id) || !cursor.ReadLong(out long timestamp) || !cursor.ReadSpan(out ReadOnlySpan<byte> misc))
        {
            return false;
        }

        control = new ControlRecord(
            kind,
            id is 0 or < int.MinValue or > int.MaxValue ? null : (int)id,
            timestamp == 0 ? null : timestamp,
            misc.IsEmpty ? null : Encoding.Latin1.GetString(misc));
        return true;
    }

    private static ControlKind KindOf(ReadOnlySpan<byte> data) => ControlWire.TryParseKind(data.Slice(12, 3), out ControlKind kind) ? kind : ControlKind.None;

    /// <summary>Writes a control record (all four fields, absent ones as 0, 0, "").</summary>
    public static void Write(ControlRecord control, IBufferWriter<byte> output)
    {
        ReadOnlySpan<byte> kind = ControlWire.KindBytes(control.Kind);
        var avro = new AvroOutput(output);
        avro.WriteFixed(Prefix);
        avro.WriteFixed(kind);
        avro.WriteLong(control.Id ?? 0);
        avro.WriteLong(control.Timestamp ?? 0);
        avro.WriteBytes(control.Misc is null ? [] : Encoding.ASCII.GetBytes(control.Misc));
        avro.Flush();
    }
}
