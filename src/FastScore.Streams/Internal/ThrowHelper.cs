using System.Diagnostics.CodeAnalysis;

namespace FastScore.Streams.Internal;

/// <summary>Throws from the hot path without bloating the callers (the throw sites stay out of line).</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowOversize(int maxRecordSize) =>
        throw new StreamFormatException(
            $"The record is longer than MaxRecordSize ({maxRecordSize} bytes); raise Envelope.MaxRecordSize, or set Envelope.OnOversize to \"reject\" or \"truncate\".");

    [DoesNotReturn]
    public static void ThrowFormat(string message) => throw new StreamFormatException(message);

    [DoesNotReturn]
    public static void ThrowFormat(string message, Exception inner) => throw new StreamFormatException(message, inner);
}
