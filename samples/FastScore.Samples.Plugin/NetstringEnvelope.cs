using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using FastScore.Streams;
using FastScore.Streams.Descriptors;
using FastScore.Streams.Envelopes;

namespace FastScore.Samples.Plugin;

/// <summary>
/// The <c>netstring</c> envelope's descriptor: each record is <c>&lt;length&gt;:&lt;bytes&gt;,</c> (D. J. Bernstein's
/// netstrings: the length in decimal ASCII, no leading zeros, then the bytes, then the terminator).
/// <c>{"Type": "netstring", "Terminator": ","}</c>.
/// </summary>
public sealed record NetstringEnvelopeDescriptor : EnvelopeDescriptor
{
    /// <summary>The envelope's type name.</summary>
    public const string TypeName = "netstring";

    /// <inheritdoc />
    public override string Type => TypeName;

    /// <summary>Gets the byte that ends each record: one ASCII character, not a digit and not <c>:</c>.</summary>
    /// <value>The default value is <c>","</c>.</value>
    public string Terminator { get; init; } = ",";

    /// <inheritdoc />
    protected override void Validate(DescriptorErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Terminator is not [char c] || c > 0x7F || char.IsAsciiDigit(c) || c == ':')
        {
            errors.Add("Terminator", $"must be one ASCII character other than a digit or ':'; found {DescriptorErrors.Quote(Terminator ?? string.Empty)}.");
        }
    }

    /// <inheritdoc />
    protected override void WriteFields(DescriptorWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("Terminator", Terminator);
    }
}

/// <summary>
/// The <c>netstring</c> envelope (also read as <c>netstrings</c>). Length-prefixed, so it frames any bytes, also those
/// of self-delimiting encodings.
/// </summary>
public sealed class NetstringEnvelopeProvider : EnvelopeProvider
{
    /// <inheritdoc />
    public override string Type => NetstringEnvelopeDescriptor.TypeName;

    /// <inheritdoc />
    public override IReadOnlyList<ComponentAlias> Aliases { get; } = [new("netstrings")];

    /// <inheritdoc />
    public override IReadOnlyList<string> Fields { get; } = ["Terminator"];

    /// <inheritdoc />
    /// <remarks>The length prefix says where a record ends, whatever bytes it holds.</remarks>
    public override bool CanFrameSelfDelimitingEncodings => true;

    /// <inheritdoc />
    protected override EnvelopeDescriptor Read(DescriptorFields fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return new NetstringEnvelopeDescriptor { Terminator = fields.OptionalString("Terminator") ?? "," };
    }

    /// <inheritdoc />
    public override Framer CreateFramer(EnvelopeDescriptor envelope, ComponentContext context)
    {
        var netstring = (NetstringEnvelopeDescriptor)envelope;
        return new NetstringFramer((byte)netstring.Terminator[0], netstring.MaxRecordSize, netstring.OnOversize);
    }
}

/// <summary>
/// Cuts <c>&lt;length&gt;:&lt;bytes&gt;&lt;terminator&gt;</c> records. A malformed record (a header that is not a
/// length, a wrong terminator, a stream that ends inside a record) is rejected with its reason, and reading goes on
/// after the next terminator (after the wrong byte, for a wrong terminator); a record longer than <see cref="Framer.MaxRecordSize"/> follows
/// <see cref="Framer.OnOversize"/>.
/// </summary>
/// <remarks>One instance serves one stream; it is not thread-safe.</remarks>
public sealed class NetstringFramer : Framer
{
    /// <summary>The most digits a length may have (lengths fit in 32 bits, as <see cref="Framer.MaxRecordSize"/> does).</summary>
    public const int MaxLengthDigits = 10;

    private readonly byte _terminator;
    private long _skipRemaining;
    private bool _resync;
    private string? _reason;

    /// <summary>Creates a framer.</summary>
    /// <param name="terminator">The byte after each record.</param>
    /// <param name="maxRecordSize">The maximum record length in bytes.</param>
    /// <param name="onOversize">What to do with a longer record.</param>
    public NetstringFramer(byte terminator = (byte)',', int maxRecordSize = EnvelopeDescriptor.DefaultMaxRecordSize, OversizePolicy onOversize = OversizePolicy.Reject)
        : base(maxRecordSize, onOversize)
    {
        if (char.IsAsciiDigit((char)terminator) || terminator == (byte)':' || terminator > 0x7F)
        {
            throw new ArgumentOutOfRangeException(nameof(terminator), terminator, "The terminator must be an ASCII byte other than a digit or ':'.");
        }

        _terminator = terminator;
    }

    /// <summary>Gets why the last <see cref="FrameStatus.Rejected"/> record was rejected (<see langword="null"/>: it was longer than <see cref="Framer.MaxRecordSize"/>).</summary>
    public string? LastRejectionReason => _reason;

    /// <inheritdoc />
    protected override string? RejectionReason => _reason;

    /// <inheritdoc />
    public override FrameStatus TryReadFrame(ref SequenceReader<byte> reader, bool isFinalBlock, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (_skipRemaining > 0)
        {
            long n = Math.Min(_skipRemaining, reader.Remaining);
            if (n == 0)
            {
                return FrameStatus.NeedMoreData;
            }

            reader.Advance(n);
            _skipRemaining -= n;
            return FrameStatus.Skipped;
        }

        if (_resync)
        {
            if (reader.End)
            {
                return FrameStatus.NeedMoreData;
            }

            if (reader.TryAdvanceTo(_terminator, advancePastDelimiter: true))
            {
                _resync = false;
            }
            else
            {
                reader.AdvanceToEnd();
            }

            return FrameStatus.Skipped;
        }

        if (reader.End)
        {
            return FrameStatus.NeedMoreData;
        }

        // The header: digits up to ':'.
        SequenceReader<byte> header = reader;
        long length = 0;
        int digits = 0;
        while (true)
        {
            if (!header.TryRead(out byte b))
            {
                // no ':' yet
                return isFinalBlock ? Reject(ref reader, reader.Remaining, resync: false, "the stream ends inside a netstring's length") : FrameStatus.NeedMoreData;
            }

            if (b == (byte)':')
            {
                if (digits == 0)
                {
                    return Reject(ref reader, header.Consumed - reader.Consumed, resync: true, "the netstring has no length before ':'");
                }

                break;
            }

            if (b is >= (byte)'0' and <= (byte)'9')
            {
                if (digits == 1 && length == 0)
                {
                    return Reject(ref reader, header.Consumed - reader.Consumed, resync: true, "the netstring's length has a leading zero");
                }

                if (++digits > MaxLengthDigits)
                {
                    return Reject(ref reader, header.Consumed - reader.Consumed, resync: true, $"the netstring's length has more than {MaxLengthDigits} digits");
                }

                length = (length * 10) + (b - '0');
                continue;
            }

            // The offending byte is consumed; when it is the terminator, the next record starts right after it.
            return Reject(ref reader, header.Consumed - reader.Consumed, resync: b != _terminator,
                $"expected a digit or ':' at byte {header.Consumed - reader.Consumed - 1} of the netstring, found {Describe(b)}");
        }

        long headerLength = header.Consumed - reader.Consumed;
        if (length > MaxRecordSize)
        {
            return Oversize(ref reader, isFinalBlock, headerLength, length, out frame);
        }

        long total = headerLength + length + 1;
        if (reader.Remaining < total)
        {
            return isFinalBlock
                ? Reject(ref reader, reader.Remaining, resync: false, $"the stream ends {reader.Remaining - headerLength} bytes into a netstring of {length} bytes")
                : FrameStatus.NeedMoreData;
        }

        ReadOnlySequence<byte> record = reader.Sequence.Slice(header.Position, length);
        SequenceReader<byte> end = reader;
        end.Advance(headerLength + length);
        end.TryRead(out byte last);
        if (last != _terminator)
        {
            // The length may be right and the terminator corrupt: the next record is tried right after the wrong byte
            // (when the length was wrong, what follows is rejected in turn and reading resumes after a terminator).
            return Reject(ref reader, headerLength + length + 1, resync: false,
                $"expected the terminator {Describe(_terminator)} after the netstring's {length} bytes, found {Describe(last)}");
        }

        frame = record;
        reader.Advance(total);
        return FrameStatus.Frame;
    }

    /// <inheritdoc />
    public override void WriteFrame(ReadOnlySpan<byte> record, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Span<byte> destination = output.GetSpan(MaxLengthDigits + 2 + record.Length);
        Utf8Formatter.TryFormat(record.Length, destination, out int written);
        destination[written++] = (byte)':';
        record.CopyTo(destination[written..]);
        written += record.Length;
        destination[written++] = _terminator;
        output.Advance(written);
    }

    /// <inheritdoc />
    public override void Reset()
    {
        _skipRemaining = 0;
        _resync = false;
        _reason = null;
    }

    private FrameStatus Oversize(ref SequenceReader<byte> reader, bool isFinalBlock, long headerLength, long length, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        switch (OnOversize)
        {
            case OversizePolicy.Reject:
                OversizedRecords++;
                _reason = null; // the core's reason: longer than MaxRecordSize
                _skipRemaining = headerLength + length + 1;
                long n = Math.Min(_skipRemaining, reader.Remaining); // at least the header
                reader.Advance(n);
                _skipRemaining -= n;
                return FrameStatus.Rejected;
            case OversizePolicy.Truncate:
                if (reader.Remaining < headerLength + MaxRecordSize)
                {
                    return isFinalBlock
                        ? Reject(ref reader, reader.Remaining, resync: false, $"the stream ends {reader.Remaining - headerLength} bytes into a netstring of {length} bytes")
                        : FrameStatus.NeedMoreData;
                }

                OversizedRecords++;
                frame = reader.Sequence.Slice(reader.Sequence.GetPosition(headerLength, reader.Position), MaxRecordSize);
                reader.Advance(headerLength + MaxRecordSize);
                _skipRemaining = length - MaxRecordSize + 1; // the rest and the terminator
                return FrameStatus.Frame;
            default:
                OversizedRecords++;
                throw new StreamFormatException(string.Create(CultureInfo.InvariantCulture,
                    $"The netstring's length {length} is larger than MaxRecordSize ({MaxRecordSize} bytes) and OnOversize is fail."));
        }
    }

    private FrameStatus Reject(ref SequenceReader<byte> reader, long consumed, bool resync, string reason)
    {
        _reason = reason;
        reader.Advance(Math.Max(1, Math.Min(consumed, reader.Remaining)));
        _resync = resync;
        return FrameStatus.Rejected;
    }

    private static string Describe(byte b) =>
        b is >= 0x20 and < 0x7F ? $"'{(char)b}'" : string.Create(CultureInfo.InvariantCulture, $"byte 0x{b:X2}");
}
