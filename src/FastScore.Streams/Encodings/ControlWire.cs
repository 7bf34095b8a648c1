using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace FastScore.Streams.Encodings;

/// <summary>Shared pieces of the control-record wire forms (FastScore §6.3).</summary>
internal static class ControlWire
{
    public static bool TryParseKind(ReadOnlySpan<byte> text, out ControlKind kind)
    {
        kind = text.SequenceEqual("end"u8) ? ControlKind.End
            : text.SequenceEqual("set"u8) ? ControlKind.Set
            : text.SequenceEqual("pig"u8) ? ControlKind.Pig
            : ControlKind.None;
        return kind != ControlKind.None;
    }

    public static ReadOnlySpan<byte> KindBytes(ControlKind kind) => kind switch
    {
        ControlKind.End => "end"u8,
        ControlKind.Set => "set"u8,
        ControlKind.Pig => "pig"u8,
        _ => throw new ArgumentException("A control record needs a kind (end, set or pig).", nameof(kind)),
    };

    public static string KindName(ControlKind kind) => Encoding.ASCII.GetString(KindBytes(kind));

    // ---- utf-8: "☮fastscore.end|id|timestamp|misc" (also "\u262efastscore.end") ----

    public static bool TryReadUtf8(ReadOnlySpan<byte> record, out ControlRecord control)
    {
        control = default;
        ReadOnlySpan<byte> rest;
        if (record.StartsWith("\u262efastscore."u8))
        {
            rest = record[13..];
        }
        else if (record.StartsWith("\\u262efastscore."u8) || record.StartsWith("\\u262Efastscore."u8))
        {
            rest = record[16..];
        }
        else
        {
            return false;
        }

        if (rest.Length < 3 || !TryParseKind(rest[..3], out ControlKind kind))
        {
            return false;
        }

        rest = rest[3..];
        if (rest.IsEmpty)
        {
            control = new ControlRecord(kind);
            return true;
        }

        if (rest[0] != (byte)'|')
        {
            return false;
        }

        rest = rest[1..];
        int bar = rest.IndexOf((byte)'|');
        ReadOnlySpan<byte> idText = bar < 0 ? rest : rest[..bar];
        rest = bar < 0 ? [] : rest[(bar + 1)..];
        bar = rest.IndexOf((byte)'|');
        ReadOnlySpan<byte> timestampText = bar < 0 ? rest : rest[..bar];
        ReadOnlySpan<byte> miscText = bar < 0 ? [] : rest[(bar + 1)..];

        int? id = null;
        long? timestamp = null;
        if (!idText.IsEmpty)
        {
            if (!int.TryParse(idText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i))
            {
                return false;
            }

            id = i;
        }

        if (!timestampText.IsEmpty)
        {
            if (!long.TryParse(timestampText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long t))
            {
                return false;
            }

            timestamp = t;
        }

        string? misc = miscText.IsEmpty ? null : Encoding.UTF8.GetString(miscText);
        control = new ControlRecord(kind, id, timestamp, misc);
        return true;
    }

    public static void WriteUtf8(ControlRecord control, IBufferWriter<byte> output)
    {
        var text = new StringBuilder("\u262efastscore.").Append(KindName(control.Kind));
        if (control.Id is not null || control.Timestamp is not null || control.Misc is not null)
        {
            text.Append('|').Append(control.Id?.ToString(CultureInfo.InvariantCulture));
            if (control.Timestamp is not null || control.Misc is not null)
            {
                text.Append('|').Append(control.Timestamp?.ToString(CultureInfo.InvariantCulture));
                if (control.Misc is not null)
                {
                    text.Append('|').Append(control.Misc);
                }
            }
        }

        ByteValues.WriteUtf8(text.ToString(), output);
    }

    // ---- null (raw bytes): 0xFA "stscore.end" [uint64 id, uint64 timestamp, big-endian] [misc] ----

    public const byte RawMarker = 0xFA;
    private const int RawPrefixLength = 12;

    public static bool TryReadRaw(ReadOnlySpan<byte> record, out ControlRecord control)
    {
        control = default;
        if (record.Length < RawPrefixLength || record[0] != RawMarker || !record[1..9].SequenceEqual("stscore."u8)
            || !TryParseKind(record[9..12], out ControlKind kind))
        {
            return false;
        }

        ReadOnlySpan<byte> rest = record[RawPrefixLength..];
        int? id = null;
        long? timestamp = null;
        if (rest.Length >= 16)
        {
            long rawId = (long)BinaryPrimitives.ReadUInt64BigEndian(rest);
            id = rawId is >= int.MinValue and <= int.MaxValue ? (int)rawId : null;
            timestamp = (long)BinaryPrimitives.ReadUInt64BigEndian(rest[8..]);
            rest = rest[16..];
        }

        control = new ControlRecord(kind, id, timestamp, rest.IsEmpty ? null : Encoding.Latin1.GetString(rest));
        return true;
    }

    public static void WriteRaw(ControlRecord control, IBufferWriter<byte> output)
    {
        ReadOnlySpan<byte> kind = KindBytes(control.Kind);
        bool hasProperties = control.Id is not null || control.Timestamp is not null || control.Misc is not null;
        int miscLength = control.Misc?.Length ?? 0;
        int length = RawPrefixLength + (hasProperties ? 16 + miscLength : 0);
        Span<byte> span = output.GetSpan(length);
        span[0] = RawMarker;
        "stscore."u8.CopyTo(span[1..]);
        kind.CopyTo(span[9..]);
        if (hasProperties)
        {
            BinaryPrimitives.WriteUInt64BigEndian(span[12..], (ulong)(long)(control.Id ?? 0));
            BinaryPrimitives.WriteUInt64BigEndian(span[20..], (ulong)(control.Timestamp ?? 0));
            if (control.Misc is not null)
            {
                Encoding.ASCII.GetBytes(control.Misc, span[28..]);
            }
        }

        output.Advance(length);
    }
}
