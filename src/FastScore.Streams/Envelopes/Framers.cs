using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Envelopes;

/// <summary>Creates the built-in framers from envelope descriptors.</summary>
public static class Framers
{
    /// <summary>Creates a new framer for one stream.</summary>
    /// <param name="envelope">The envelope, or <see langword="null"/> for no envelope (<see cref="NoneFramer"/>).</param>
    /// <returns>A new framer (framers keep per-stream state, so each stream needs its own).</returns>
    /// <exception cref="NotSupportedException">The envelope is not implemented yet (<c>ocf-block</c>, <c>delimited-csv</c>) or unknown.</exception>
    public static Framer Create(EnvelopeDescriptor? envelope) => envelope switch
    {
        null => new NoneFramer(),
        DelimitedEnvelopeDescriptor d => new DelimitedFramer(d.Separator, d.MaxRecordSize, d.OnOversize),
        FixedEnvelopeDescriptor f => new FixedFramer(f.Size, f.MaxRecordSize, f.OnOversize),
        OcfBlockEnvelopeDescriptor => throw new NotSupportedException("The ocf-block envelope comes in a later release."),
        DelimitedCsvEnvelopeDescriptor => throw new NotSupportedException("The delimited-csv envelope comes in a later release."),
        _ => throw new NotSupportedException($"Envelope '{envelope.Type}' is not supported."),
    };
}
