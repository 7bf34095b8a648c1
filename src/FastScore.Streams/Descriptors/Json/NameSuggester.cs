namespace FastScore.Streams.Descriptors.Json;

/// <summary>Suggests the nearest known name for a misspelt one (optimal string alignment distance, case-insensitive).</summary>
internal static class NameSuggester
{
    public static string? Suggest(string input, IEnumerable<string> candidates)
    {
        string lowered = input.ToLowerInvariant();
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates)
        {
            string c = candidate.ToLowerInvariant();
            int distance = Distance(lowered, c);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        if (best is null || lowered.Length == 0)
        {
            return null;
        }

        int shorter = Math.Min(lowered.Length, best.Length);
        int allowed = shorter <= 3 ? 1 : Math.Max(2, shorter / 3);
        if (bestDistance <= allowed)
        {
            return best;
        }

        // a prefix such as "avro" for "avro-binary" or "Bootstrap" for "BootstrapServers"
        foreach (string candidate in candidates)
        {
            if (lowered.Length >= 3 && candidate.StartsWith(input, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Returns <c>" Did you mean 'x'?"</c>, or an empty string.</summary>
    public static string DidYouMean(string input, IEnumerable<string> candidates)
    {
        string? suggestion = Suggest(input, candidates);
        return suggestion is null ? string.Empty : $" Did you mean '{suggestion}'?";
    }

    internal static int Distance(string a, string b)
    {
        int[,] d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int value = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    value = Math.Min(value, d[i - 2, j - 2] + 1);
                }

                d[i, j] = value;
            }
        }

        return d[a.Length, b.Length];
    }
}
