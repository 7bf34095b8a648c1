namespace FastScore.Streams.Descriptors.Json;

/// <summary>Collects errors (at most one per path: the first, most specific one wins) and warnings.</summary>
internal sealed class ErrorSink
{
    private readonly List<DescriptorError> _errors = [];
    private readonly List<DescriptorError> _warnings = [];
    private readonly HashSet<string> _paths = new(StringComparer.Ordinal);

    public IReadOnlyList<DescriptorError> Errors => _errors;

    public IReadOnlyList<DescriptorError> Warnings => _warnings;

    public bool HasErrors => _errors.Count > 0;

    public void Error(string path, string message)
    {
        if (_paths.Add(path))
        {
            _errors.Add(new DescriptorError(path, message));
        }
    }

    /// <summary>Gets a value indicating whether an error was reported at <paramref name="path"/> or below it.</summary>
    public bool HasErrorAt(string path)
    {
        foreach (string p in _paths)
        {
            if (p == path || (p.StartsWith(path, StringComparison.Ordinal) && p.Length > path.Length && (p[path.Length] == '.' || p[path.Length] == '[')))
            {
                return true;
            }
        }

        return false;
    }

    public void Warning(string path, string message) => _warnings.Add(new DescriptorError(path, message));
}
