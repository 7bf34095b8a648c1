using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace FastScore.Streams.Internal;

/// <summary>
/// Whether the library may emit code at run time (<c>DynamicMethod</c> readers, writers and schema scanners, compiled
/// property accessors). Off without dynamic code (Native AOT, interpreters) and when the application sets the
/// <see cref="SwitchName"/> AppContext switch; everything then runs on the general paths, with the same results, slower.
/// </summary>
/// <remarks>Read when a codec or checker is built (not per record), so a switch set at start-up applies to everything
/// built after it. See docs/architecture.md, "Native AOT and emitted code".</remarks>
internal static class EmittedCode
{
    /// <summary>
    /// The AppContext switch that turns emitted code off: <c>AppContext.SetSwitch("FastScore.Streams.DisableEmittedCode", true)</c>
    /// at start-up, or <c>&lt;RuntimeHostConfigurationOption Include="FastScore.Streams.DisableEmittedCode" Value="true" /&gt;</c>
    /// in the application's project file.
    /// </summary>
    public const string SwitchName = "FastScore.Streams.DisableEmittedCode";

    /// <summary>
    /// Gets a value indicating whether the runtime can emit code at all (false under Native AOT): the analyzers' guard for
    /// <see cref="RequiresDynamicCodeAttribute"/> members. Test it together with <see cref="IsAllowed"/> where those are called.
    /// </summary>
    [FeatureGuard(typeof(RequiresDynamicCodeAttribute))]
    public static bool IsSupported => RuntimeFeature.IsDynamicCodeSupported;

    /// <summary>Gets a value indicating whether emitted code would be compiled (not interpreted) and the switch does not turn it off.</summary>
    public static bool IsAllowed => RuntimeFeature.IsDynamicCodeCompiled && !(AppContext.TryGetSwitch(SwitchName, out bool disabled) && disabled);

    /// <summary>Gets a value indicating whether code may be emitted now (<see cref="IsSupported"/> and <see cref="IsAllowed"/>).</summary>
    public static bool IsEnabled => IsSupported && IsAllowed;
}
