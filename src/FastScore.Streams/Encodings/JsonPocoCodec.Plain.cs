using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Reflection.Emit;
using System.Text.Json;
using System.Text.Json.Serialization;
using FastScore.Streams.Internal;

namespace FastScore.Streams.Encodings;

/// <summary>
/// The codec built without the serializer's contract: for a plain class and the default options, the member table the
/// default resolver would give is read from the type by reflection, so a run that never needs the serializer does not
/// build the contract (its converters, accessors and caches are a large part of the JIT work before the first record).
/// </summary>
/// <remarks>
/// The route is taken only where the default resolver's rules reduce to a few certain ones, and declines (the contract is
/// then asked, as before) on anything else: the options must be <see cref="JsonSerializerOptions.Default"/>; the type a
/// non-abstract class of no framework assembly, not a collection, with a public parameterless constructor, without
/// System.Text.Json attributes (but <see cref="JsonPropertyNameAttribute"/> on a property, which only names it) or
/// <c>required</c> on it, its members, constructors, base types or interfaces, and without
/// the serializer's callback interfaces; every base type (up to <see cref="object"/>) of the same kind. Its properties are
/// then, as the default resolver enumerates them, the instance properties declared by the type and then by each base type
/// (declaration order) that are not indexers and have a public getter or setter; a property is written when its getter is
/// public and read when its setter (or <c>init</c>) is public; fields are not members (<c>IncludeFields</c> is off). The
/// route declines when two of them share a JSON or CLR name (hiding, overriding, renaming: the resolver's conflict rules) or one is not of a
/// type the codec handles. Tests compare the two routes over many shapes (JsonPocoCodecPlainRouteTests).
/// </remarks>
internal sealed partial class JsonPocoCodec<T>
{
    private const string PlainJustification =
        "The plain route reads the same members the reflection-based resolver reads; it is taken only for JsonSerializerOptions.Default, "
        + "i.e. where JsonSerializer.IsReflectionEnabledByDefault is true and the serializer itself reflects over the type.";

    /// <summary>
    /// Builds the codec from the type's members by reflection, without the serializer's contract; <see langword="false"/>
    /// when the route does not apply (then <see cref="TryCreate(System.Text.Json.Serialization.Metadata.JsonTypeInfo{T})"/>
    /// builds it from the contract).
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = PlainJustification)]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = PlainJustification)]
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = PlainJustification)]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = PlainJustification)]
    [UnconditionalSuppressMessage("Trimming", "IL2090", Justification = PlainJustification)]
    internal static bool TryCreatePlain(JsonSerializerOptions options, [NotNullWhen(true)] out JsonPocoCodec<T>? codec)
    {
        codec = null;
        Type type = typeof(T);
        if (!EmittedCode.IsSupported || !EmittedCode.IsAllowed
            || !JsonSerializer.IsReflectionEnabledByDefault || !ReferenceEquals(options, JsonSerializerOptions.Default)
            || !HasPlainOptions(options) || !HasPropertyAccessors(options) || options.Converters.Count != 0
            || options.PropertyNamingPolicy is not null || options.IncludeFields || options.Encoder is not null)
        {
            return false;
        }

        if (!type.IsClass || type.IsAbstract || IsFrameworkType(type) || type.IsArray || type.ContainsGenericParameters || type.IsCOMObject
            || typeof(Delegate).IsAssignableFrom(type) || typeof(System.Collections.IEnumerable).IsAssignableFrom(type))
        {
            return false;
        }

        ConstructorInfo? constructor = type.GetConstructor(BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        if (constructor is null)
        {
            return false;
        }

        foreach (Type implemented in type.GetInterfaces())
        {
            if (IsSerializerType(implemented) || HasSpecialAttribute(implemented)
                || (implemented.IsGenericType && implemented.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>)))
            {
                return false;
            }
        }

        var properties = new List<JsonPocoProperty>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        const BindingFlags Declared = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        for (Type? current = type; current is not null && current != typeof(object); current = current.BaseType)
        {
            if (IsFrameworkType(current) || HasSpecialAttribute(current))
            {
                return false;
            }

            foreach (MemberInfo member in current.GetMembers(Declared))
            {
                if (HasSpecialAttribute(member, allowPropertyName: member is PropertyInfo))
                {
                    return false;
                }
            }

            foreach (PropertyInfo property in current.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                bool written = property.GetMethod?.IsPublic == true;
                bool read = property.SetMethod?.IsPublic == true;
                if (property.GetIndexParameters().Length > 0 || !(written || read))
                {
                    continue; // as the default resolver: indexers and properties without a public accessor are not members
                }

                Type valueType = property.PropertyType;
                string? name = JsonName(property);
                if (name is null || !names.Add(name) || !(name == property.Name || names.Add(property.Name))
                    || !(valueType == typeof(float) || valueType == typeof(double) || valueType == typeof(int) || valueType == typeof(long)
                         || valueType == typeof(bool) || valueType == typeof(string)))
                {
                    return false; // a hidden or overridden property, a name clash (the resolver's conflict rules), or a type the codec does not handle
                }

                properties.Add(new JsonPocoProperty(property, name, valueType, written, read));
            }
        }

        try
        {
            codec = Build(EmitCreate(constructor), constructor, properties, options);
        }
        catch (Exception ex) when (ex is ArgumentException or MemberAccessException or InvalidOperationException or NotSupportedException or InvalidProgramException)
        {
            return false;
        }

        return codec is not null;
    }

    // Types of the framework (built-in converters, unsupported types, framework base classes): the resolver has rules of its own for some.
    private static bool IsFrameworkType(Type type)
    {
        if (type.Assembly == typeof(object).Assembly)
        {
            return true;
        }

        string? name = type.Assembly.GetName().Name;
        return name is null || name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.", StringComparison.Ordinal)
            || name.StartsWith("FSharp.", StringComparison.Ordinal) || name is "System" or "mscorlib" or "netstandard";
    }

    private static bool IsSerializerType(Type type) =>
        type.Namespace is { } ns && (ns == "System.Text.Json" || ns.StartsWith("System.Text.Json.", StringComparison.Ordinal));

    // The JSON name: [JsonPropertyName]'s, or the property's own (no naming policy); null when the attribute has none.
    private static string? JsonName(PropertyInfo property)
    {
        foreach (CustomAttributeData attribute in property.CustomAttributes)
        {
            if (attribute.AttributeType == typeof(JsonPropertyNameAttribute))
            {
                return attribute.ConstructorArguments is [{ Value: string name }] ? name : null;
            }
        }

        return property.Name;
    }

    // An attribute that changes the contract: System.Text.Json's own (but [JsonPropertyName] on a property, which only
    // names it), C#'s required members, F#'s type marks.
    private static bool HasSpecialAttribute(MemberInfo member, bool allowPropertyName = false)
    {
        foreach (CustomAttributeData attribute in member.CustomAttributes)
        {
            Type attributeType = attribute.AttributeType;
            if (allowPropertyName && attributeType == typeof(JsonPropertyNameAttribute))
            {
                continue;
            }

            if (IsSerializerType(attributeType)
                || attributeType.FullName is "System.Runtime.CompilerServices.RequiredMemberAttribute" or "System.Diagnostics.CodeAnalysis.SetsRequiredMembersAttribute"
                || attributeType.Assembly.GetName().Name is "FSharp.Core")
            {
                return true;
            }
        }

        return false;
    }

    // The constructor call the serializer's CreateObject makes (emitted: a plain newobj).
    [RequiresDynamicCode("Emits a DynamicMethod.")]
    private static Func<T> EmitCreate(ConstructorInfo constructor)
    {
        var method = new DynamicMethod("Create_" + typeof(T).Name, typeof(T), Type.EmptyTypes, typeof(JsonPocoCodec<T>).Module, skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        il.Emit(OpCodes.Newobj, constructor);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<Func<T>>();
    }
}
