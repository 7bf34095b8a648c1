using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Text;
using FastScore.Streams.Internal;

namespace FastScore.Streams.Schemas.Json;

/// <summary>
/// The checker's fast path for a flat record whose keys come in one given order: one method emitted for the record
/// and the order, that proves <c>{ "f1": v1, ..., "fn": vn }</c> valid with every field once in that order. Keys are
/// compared as constants (with the punctuation around them, as a record seen before had it: <c>, "f2": </c>, then
/// by the grammar when it differs) and each value is scanned by the same static method its node's
/// <see cref="SchemaNode.Scan"/> calls, so the emitted scanner accepts exactly what the general scanner accepts for
/// such records (and declines everything else: another order, a missing optional field, an escaped key...; the general
/// scanner then decides).
/// </summary>
internal sealed class InOrderRecordScanner
{
    /// <summary>The most fields a record may have to get an emitted scanner.</summary>
    public const int MaxFields = 256;

    // The longest text between two values compared as one constant.
    private const int MaxSeparator = 64;

    private static readonly MethodInfo s_scanPlainNumber = Method(typeof(FastJson), nameof(FastJson.ScanPlainNumber));
    private static readonly MethodInfo s_scanInteger = Method(typeof(FastJson), nameof(FastJson.ScanInteger));
    private static readonly MethodInfo s_scanNull = Method(typeof(NullNode), nameof(NullNode.ScanNull));
    private static readonly MethodInfo s_scanBoolean = Method(typeof(BooleanNode), nameof(BooleanNode.ScanBoolean));
    private static readonly MethodInfo s_scanString = Method(typeof(StringNode), nameof(StringNode.ScanStringValue));
    private static readonly MethodInfo s_skipWhitespace = Method(typeof(FastJson), nameof(FastJson.SkipWhitespace));

    private readonly ScanFunc _scan;

    [RequiresDynamicCode("Emits a DynamicMethod.")]
    private InOrderRecordScanner(RecordNode record, int[] order, byte[][]? separators)
    {
        Order = order;
        _scan = Emit(record, order, separators);
    }

    // Closed over the scanner (its first argument), so a call is a plain call, without the shuffle thunk of an open static delegate.
    private delegate bool ScanFunc(ReadOnlySpan<byte> json);

    /// <summary>Gets the field indices in the order the scanner expects the keys.</summary>
    public int[] Order { get; }

    /// <summary>Whether a scanner can be emitted for the record: every field is a non-logical scalar or a union of them, with a plain name.</summary>
    public static bool CanScan(RecordNode record)
    {
        IReadOnlyList<RecordField> fields = record.Fields;
        if (fields.Count is 0 or > MaxFields)
        {
            return false;
        }

        for (int i = 0; i < fields.Count; i++)
        {
            if (!record.HasPlainName(i) || !IsSimple(fields[i].Node))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Builds the scanner for records with the keys in <paramref name="order"/> (field indices, every field once), or
    /// returns <see langword="null"/> when the record has other kinds of fields or code may not be emitted (<see cref="EmittedCode"/>).
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="order">The field indices in key order.</param>
    /// <param name="separators">
    /// For each value, the text expected before it (see <see cref="RecordNode.KeyOrder(ReadOnlySpan{byte}, out byte[][])"/>),
    /// compared first as a constant; one that is not <c>{</c> or <c>,</c>, the key and <c>:</c> with whitespace around is not used.
    /// </param>
    public static InOrderRecordScanner? TryCreate(RecordNode record, int[] order, byte[][]? separators = null)
    {
        if (!EmittedCode.IsSupported || !EmittedCode.IsAllowed || !CanScan(record) || !IsPermutation(order, record.Fields.Count))
        {
            return null;
        }

        try
        {
            var scanner = new InOrderRecordScanner(record, order, separators);
            scanner.Accepts([]); // compiles it now (an empty record is declined): emitted code the runtime refuses fails here, not on a record
            return scanner;
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidProgramException or ArgumentException or MemberAccessException or TypeLoadException)
        {
            return null; // the general scanner takes every record
        }
    }

    /// <summary>Whether the record (the whole input, whitespace around it included) is proven valid; <see langword="false"/> decides nothing.</summary>
    public bool Accepts(ReadOnlySpan<byte> json) => _scan(json);

    private static bool IsSimple(SchemaNode node) => node is UnionNode union
        ? union.Branches.Count > 0 && union.Branches.All(IsScalar)
        : IsScalar(node);

    // The scalars whose scan is one static method with constant arguments (logical types on int and long included: their range is the arguments).
    private static bool IsScalar(SchemaNode node) => node is NullNode or BooleanNode or IntNode or LongNode or FloatingNode or StringNode;

    private static bool IsPermutation(int[] order, int count)
    {
        if (order.Length != count)
        {
            return false;
        }

        var seen = new bool[count];
        foreach (int index in order)
        {
            if ((uint)index >= (uint)count || seen[index])
            {
                return false;
            }

            seen[index] = true;
        }

        return true;
    }

    // Whether the text is `{` (first) or `,` (after), then the quoted name and `:`, with whitespace around each.
    private static bool IsSeparator(byte[] text, bool first, string name)
    {
        ReadOnlySpan<byte> key = Encoding.ASCII.GetBytes("\"" + name + "\"");
        int pos = 0;
        if (text.Length is < 2 or > MaxSeparator || text[pos++] != (first ? (byte)'{' : (byte)','))
        {
            return false;
        }

        FastJson.SkipWhitespace(text, ref pos);
        if (!text.AsSpan(pos).StartsWith(key))
        {
            return false;
        }

        pos += key.Length;
        FastJson.SkipWhitespace(text, ref pos);
        if (pos >= text.Length || text[pos++] != (byte)':')
        {
            return false;
        }

        FastJson.SkipWhitespace(text, ref pos);
        return pos == text.Length;
    }

    [RequiresDynamicCode("Emits a DynamicMethod.")]
    private ScanFunc Emit(RecordNode record, int[] order, byte[][]? separators)
    {
        var method = new DynamicMethod(
            "ScanInOrder_" + record.DisplayName,
            typeof(bool),
            [typeof(InOrderRecordScanner), typeof(ReadOnlySpan<byte>)],
            typeof(InOrderRecordScanner).Module,
            skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        LocalBuilder pos = il.DeclareLocal(typeof(int));
        Label fail = il.DefineLabel();
        for (int i = 0; i < order.Length; i++)
        {
            RecordField field = record.Fields[order[i]];
            Label value = il.DefineLabel();
            if (separators is not null && i < separators.Length && IsSeparator(separators[i], i == 0, field.Name))
            {
                // The text before the value as the record seen had it: if (json[pos..] starts with it) { pos after it and whitespace; goto value; }
                Label other = il.DefineLabel();
                if (i == 0)
                {
                    // pos = 0; SkipWhitespace(json, ref pos);
                    il.Emit(OpCodes.Ldc_I4_0);
                    il.Emit(OpCodes.Stloc, pos);
                    il.Emit(OpCodes.Ldarg_1);
                    il.Emit(OpCodes.Ldloca, pos);
                    il.Emit(OpCodes.Call, s_skipWhitespace);
                }

                EmittedJson.EmitStartsWith(il, pos, separators[i], other);
                il.Emit(OpCodes.Ldloc, pos);
                il.Emit(OpCodes.Ldc_I4, separators[i].Length);
                il.Emit(OpCodes.Add);
                il.Emit(OpCodes.Stloc, pos);
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Ldloca, pos);
                il.Emit(OpCodes.Call, s_skipWhitespace);
                il.Emit(OpCodes.Br, value);
                il.MarkLabel(other);
            }

            // By the grammar: ws { ws (first) or ws , ws (after), the key, ws : ws
            il.Emit(OpCodes.Ldarg_1);
            if (i == 0)
            {
                // pos = Open(json); if (pos < 0) fail;
                il.Emit(OpCodes.Call, JsonScan.Methods.Open);
                il.Emit(OpCodes.Dup);
                il.Emit(OpCodes.Stloc, pos);
                il.Emit(OpCodes.Ldc_I4_0);
                il.Emit(OpCodes.Blt, fail);
            }
            else
            {
                // if (!Next(json, ref pos)) fail;
                il.Emit(OpCodes.Ldloca, pos);
                il.Emit(OpCodes.Call, JsonScan.Methods.Next);
                il.Emit(OpCodes.Brfalse, fail);
            }

            EmittedJson.EmitKey(il, pos, Encoding.ASCII.GetBytes("\"" + field.Name + "\""), fail);
            il.MarkLabel(value);
            if (field.Node is UnionNode union)
            {
                // A scalar's scan only accepts values starting as its kind does, so trying every branch in schema
                // order is the union's own scan (which tries the branches of the value's kind in schema order).
                Label matched = il.DefineLabel();
                foreach (SchemaNode branch in union.Branches)
                {
                    EmitScalarScan(il, pos, branch);
                    il.Emit(OpCodes.Brtrue, matched);
                }

                il.Emit(OpCodes.Br, fail);
                il.MarkLabel(matched);
            }
            else
            {
                EmitScalarScan(il, pos, field.Node);
                il.Emit(OpCodes.Brfalse, fail);
            }
        }

        // return Close(json, pos);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldloc, pos);
        il.Emit(OpCodes.Call, JsonScan.Methods.Close);
        il.Emit(OpCodes.Ret);

        il.MarkLabel(fail);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ret);
        return (ScanFunc)method.CreateDelegate(typeof(ScanFunc), this);
    }

    // Pushes the result of the node's scan (the call its Scan makes) at pos; pos moves past the value when it is true.
    private static void EmitScalarScan(ILGenerator il, LocalBuilder pos, SchemaNode node)
    {
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldloca, pos);
        switch (node)
        {
            case FloatingNode floating:
                il.Emit(OpCodes.Ldc_I4, floating.SafeIntegerDigits);
                il.Emit(OpCodes.Call, s_scanPlainNumber);
                break;
            case IntNode integer:
                il.Emit(OpCodes.Ldc_I8, (long)integer.Min);
                il.Emit(OpCodes.Ldc_I8, (long)integer.Max);
                il.Emit(OpCodes.Call, s_scanInteger);
                break;
            case LongNode integer:
                il.Emit(OpCodes.Ldc_I8, integer.Min);
                il.Emit(OpCodes.Ldc_I8, integer.Max);
                il.Emit(OpCodes.Call, s_scanInteger);
                break;
            case BooleanNode:
                il.Emit(OpCodes.Call, s_scanBoolean);
                break;
            case StringNode:
                il.Emit(OpCodes.Call, s_scanString);
                break;
            case NullNode:
                il.Emit(OpCodes.Call, s_scanNull);
                break;
            default:
                throw new NotSupportedException($"No emitted scan for {node.DisplayName}.");
        }
    }

    private static MethodInfo Method([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] Type type, string name) =>
        type.GetMethod(name, BindingFlags.Public | BindingFlags.Static) ?? throw new MissingMethodException(type.Name, name);
}
