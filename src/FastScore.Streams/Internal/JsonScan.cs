using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastScore.Streams.Internal;

/// <summary>
/// The punctuation of a flat JSON object, scanned byte by byte: whitespace, <c>{</c>, <c>:</c>, <c>,</c>, <c>}</c>, and
/// unaligned reads of the next bytes. Shared by the <c>json</c> encoding's readers and the schema checker's scanners
/// (both the loops and the methods they emit), so the two accept the same shapes.
/// </summary>
internal static class JsonScan
{
    /// <summary>Skips JSON whitespace.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SkipWhitespace(ReadOnlySpan<byte> json, int pos)
    {
        while (pos < json.Length && json[pos] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            pos++;
        }

        return pos;
    }

    /// <summary>Reads <c>{</c> and the whitespace around it; returns the position after, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Open(ReadOnlySpan<byte> json)
    {
        int pos = SkipWhitespace(json, 0);
        return pos < json.Length && json[pos] == (byte)'{' ? SkipWhitespace(json, pos + 1) : -1;
    }

    /// <summary>Whether at least <paramref name="count"/> bytes are left from <paramref name="pos"/> (for the <c>ReadN</c> methods).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Fits(ReadOnlySpan<byte> json, int pos, int count) => json.Length - pos >= count;

    /// <summary>Reads 8 bytes at <paramref name="offset"/>, which <see cref="Fits"/> has checked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Read8(ReadOnlySpan<byte> json, int offset) => Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref MemoryMarshal.GetReference(json), offset));

    /// <summary>Reads 4 bytes at <paramref name="offset"/>, which <see cref="Fits"/> has checked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Read4(ReadOnlySpan<byte> json, int offset) => Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref MemoryMarshal.GetReference(json), offset));

    /// <summary>Reads 2 bytes at <paramref name="offset"/>, which <see cref="Fits"/> has checked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Read2(ReadOnlySpan<byte> json, int offset) => Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref MemoryMarshal.GetReference(json), offset));

    /// <summary>After a key of <paramref name="length"/> bytes (quotes included) at <paramref name="pos"/>: reads <c>:</c> and the whitespace around it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Colon(ReadOnlySpan<byte> json, ref int pos, int length)
    {
        int at = SkipWhitespace(json, pos + length);
        if (at >= json.Length || json[at] != (byte)':')
        {
            return false;
        }

        pos = SkipWhitespace(json, at + 1);
        return true;
    }

    /// <summary>Reads <c>,</c> and the whitespace around it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Next(ReadOnlySpan<byte> json, ref int pos)
    {
        int at = SkipWhitespace(json, pos);
        if (at >= json.Length || json[at] != (byte)',')
        {
            return false;
        }

        pos = SkipWhitespace(json, at + 1);
        return true;
    }

    /// <summary>Whether what is left is <c>}</c> and whitespace.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Close(ReadOnlySpan<byte> json, int pos)
    {
        pos = SkipWhitespace(json, pos);
        return pos < json.Length && json[pos] == (byte)'}' && SkipWhitespace(json, pos + 1) == json.Length;
    }

    /// <summary>The methods emitted code calls.</summary>
    public static class Methods
    {
        public static readonly MethodInfo Open = Get(nameof(JsonScan.Open));
        public static readonly MethodInfo Fits = Get(nameof(JsonScan.Fits));
        public static readonly MethodInfo Read8 = Get(nameof(JsonScan.Read8));
        public static readonly MethodInfo Read4 = Get(nameof(JsonScan.Read4));
        public static readonly MethodInfo Read2 = Get(nameof(JsonScan.Read2));
        public static readonly MethodInfo Colon = Get(nameof(JsonScan.Colon));
        public static readonly MethodInfo Next = Get(nameof(JsonScan.Next));
        public static readonly MethodInfo Close = Get(nameof(JsonScan.Close));

        private static MethodInfo Get(string name) =>
            typeof(JsonScan).GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new MissingMethodException(nameof(JsonScan), name);
    }
}
