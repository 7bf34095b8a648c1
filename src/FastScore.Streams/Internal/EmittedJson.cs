using System.Reflection.Emit;
using System.Runtime.InteropServices;

namespace FastScore.Streams.Internal;

/// <summary>
/// IL that emitted JSON readers and scanners share: comparing the bytes at a position with a constant (a key and its
/// colon, the text between two values). The emitted method has the JSON span as its argument 1.
/// </summary>
internal static class EmittedJson
{
    /// <summary>
    /// Emits <c>if (json[pos..] does not start with key) fail; pos after the colon</c>, comparing the key as 8-, 4- and
    /// 2-byte constants (the last read overlapping the one before it) instead of calling a span comparison.
    /// </summary>
    public static void EmitKey(ILGenerator il, LocalBuilder pos, byte[] key, Label fail)
    {
        EmitStartsWith(il, pos, key, fail);

        // if (!Colon(json, ref pos, key.Length)) fail;
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldloca, pos);
        il.Emit(OpCodes.Ldc_I4, key.Length);
        il.Emit(OpCodes.Call, JsonScan.Methods.Colon);
        il.Emit(OpCodes.Brfalse, fail);
    }

    /// <summary>
    /// Emits <c>if (json[pos..] does not start with bytes) fail;</c> (<paramref name="pos"/> does not move), comparing
    /// 8-, 4- and 2-byte constants (the last read overlapping the one before it); <paramref name="bytes"/> has 2 bytes
    /// at least.
    /// </summary>
    public static void EmitStartsWith(ILGenerator il, LocalBuilder pos, byte[] bytes, Label fail)
    {
        // if (!Fits(json, pos, bytes.Length)) fail;
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldloc, pos);
        il.Emit(OpCodes.Ldc_I4, bytes.Length);
        il.Emit(OpCodes.Call, JsonScan.Methods.Fits);
        il.Emit(OpCodes.Brfalse, fail);
        if (bytes.Length < 2)
        {
            throw new ArgumentException("A constant to compare has 2 bytes at least.", nameof(bytes));
        }

        foreach ((int at, int width) in ConstantPieces.Of(bytes.Length))
        {
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldloc, pos);
            il.Emit(OpCodes.Ldc_I4, at);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Call, width == 8 ? JsonScan.Methods.Read8 : width == 4 ? JsonScan.Methods.Read4 : JsonScan.Methods.Read2);
            ConstantPieces.EmitValue(il, bytes.AsSpan(at, width));
            il.Emit(OpCodes.Bne_Un, fail);
        }
    }
}

/// <summary>
/// How emitted code compares or writes a constant byte string: in 8-, 4-, 2- or 1-byte pieces, the last one overlapping
/// the one before it (its first bytes are read or written twice, with the same values).
/// </summary>
internal static class ConstantPieces
{
    /// <summary>The pieces of a constant of <paramref name="length"/> bytes: where each starts, and its width.</summary>
    public static IEnumerable<(int Offset, int Width)> Of(int length)
    {
        int width = length >= 8 ? 8 : length >= 4 ? 4 : length >= 2 ? 2 : 1;
        for (int offset = 0; offset < length; offset += width)
        {
            yield return (Math.Min(offset, length - width), width);
        }
    }

    /// <summary>Emits the piece's bytes as the constant a same-width read (unsigned, zero-extended) returns, in native byte order.</summary>
    public static void EmitValue(ILGenerator il, ReadOnlySpan<byte> piece)
    {
        switch (piece.Length)
        {
            case 8:
                il.Emit(OpCodes.Ldc_I8, MemoryMarshal.Read<long>(piece));
                break;
            case 4:
                il.Emit(OpCodes.Ldc_I4, MemoryMarshal.Read<int>(piece));
                break;
            case 2:
                il.Emit(OpCodes.Ldc_I4, (int)MemoryMarshal.Read<ushort>(piece));
                break;
            default:
                il.Emit(OpCodes.Ldc_I4, (int)piece[0]);
                break;
        }
    }
}
