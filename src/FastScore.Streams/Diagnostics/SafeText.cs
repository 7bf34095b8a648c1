using System.Buffers;
using System.Globalization;
using System.Text;

namespace FastScore.Streams.Diagnostics;

/// <summary>
/// Makes text safe to show to people, in messages, logs, API answers and reports: secrets inside URLs are masked, and
/// control characters that a terminal would act on are escaped. The one place FastScore.Streams does either: every
/// error message, display and report goes through it.
/// </summary>
/// <remarks>Thread-safe. Not for the per-record path: it is called on errors and displays only.</remarks>
public static class SafeText
{
    /// <summary>What a masked secret is replaced with.</summary>
    public const string Mask = "*****";

    /// <summary>The most record bytes a rejection preview shows (<see cref="Preview"/>).</summary>
    public const int PreviewBytes = 200;

    // Parameter names whose values are secrets (lower case; a name matches when it contains one of them):
    // ?token=, access_token=, sig=, X-Amz-Signature=, X-Amz-Credential=, X-Amz-Security-Token=, password=, pwd=, api_key=...
    private static readonly string[] s_secretParameterWords =
        ["pass", "pwd", "secret", "token", "sig", "key", "credential", "auth", "session", "jwt", "assertion", "private", "cookie"];

    private static readonly SearchValues<char> s_maskTriggers = SearchValues.Create("@=");

    // what IsUnsafe is true for, but surrogates (a valid pair is shown)
    private static readonly SearchValues<char> s_unsafeChars = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(c => (char)c), .. Enumerable.Range(0x7F, 0x21).Select(c => (char)c),
         '\u061C', '\u200B', '\u200C', '\u200D', '\u200E', '\u200F', '\uFEFF',
         .. Enumerable.Range(0x2028, 7).Select(c => (char)c), .. Enumerable.Range(0x2066, 4).Select(c => (char)c)]);
    private static readonly SearchValues<char> s_valueEnd = SearchValues.Create("&;#\"'<>` \t\r\n,)]}");
    private static readonly SearchValues<char> s_authorityEnd = SearchValues.Create("/?#\\\"'<>` \t\r\n,)]}");

    /// <summary>
    /// Masks the secrets inside URLs and query strings found anywhere in <paramref name="text"/>: the user information
    /// of a URL (<c>https://user:password@host</c> → <c>https://user:*****@host</c>; a user name alone, often a token,
    /// is masked too), and the value of every parameter whose name holds a secret word (<c>?token=</c>,
    /// <c>access_token=</c>, <c>sig=</c>, <c>X-Amz-Signature=</c>, <c>X-Amz-Credential=</c>, <c>password=</c>,
    /// <c>pwd=</c>, <c>api_key=</c>, <c>secret=</c>...) after <c>?</c>, <c>&amp;</c>, <c>;</c>, <c>#</c>, a space, a
    /// quote, a comma, an opening bracket or at the start of the text.
    /// </summary>
    /// <param name="text">Any text: a URL, an error message, a descriptor field.</param>
    /// <returns><paramref name="text"/> with those values replaced by <see cref="Mask"/> (the same instance when nothing was masked).</returns>
    public static string MaskSecrets(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().IndexOfAny(s_maskTriggers) < 0)
        {
            return text;
        }

        // (start, length) of every value to replace, in order, never overlapping
        List<(int Start, int Length)>? spans = null;
        CollectUserInfo(text, ref spans);
        CollectParameters(text, ref spans);
        if (spans is null)
        {
            return text;
        }

        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        var sb = new StringBuilder(text.Length);
        int at = 0;
        foreach ((int start, int length) in spans)
        {
            if (start < at)
            {
                continue; // overlaps a span already masked
            }

            sb.Append(text, at, start - at).Append(Mask);
            at = start + length;
        }

        return sb.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>
    /// Escapes what a terminal or a log viewer would act on instead of showing: C0 controls (ESC, CR, LF, TAB, BS,
    /// BEL...), DEL, C1 controls (U+0080–U+009F, e.g. CSI), bidirectional overrides and isolates (U+202A–U+202E,
    /// U+2066–U+2069, U+200E, U+200F, U+061C), line and paragraph separators, zero-width characters and lone
    /// surrogates. <c>\n</c>, <c>\r</c> and <c>\t</c> become those two-character escapes, anything else <c>\u001B</c>.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>The text, escaped (the same instance when nothing needed escaping).</returns>
    public static string EscapeControlCharacters(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int first = IndexOfUnsafe(text);
        if (first < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16);
        sb.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (IsUnsafe(c))
            {
                AppendEscape(sb, c);
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Makes the preview of a record shown in rejection reports: its first <see cref="PreviewBytes"/> bytes as UTF-8
    /// text with control characters escaped (<see cref="EscapeControlCharacters"/>) and bytes that are not UTF-8 shown
    /// as <c>\xFF</c>; a longer record ends with <c>… (N bytes)</c>.
    /// </summary>
    /// <param name="record">The record's bytes.</param>
    /// <returns>The preview.</returns>
    public static string Preview(ReadOnlySpan<byte> record)
    {
        bool cut = record.Length > PreviewBytes;
        ReadOnlySpan<byte> head = cut ? record[..PreviewBytes] : record;
        if (cut)
        {
            // do not show a character cut in two: drop a trailing incomplete UTF-8 sequence
            int start = head.Length - 1;
            while (start > head.Length - 4 && start > 0 && (head[start] & 0xC0) == 0x80)
            {
                start--;
            }

            int expected = head[start] >= 0xF0 ? 4 : head[start] >= 0xE0 ? 3 : head[start] >= 0xC0 ? 2 : 1;
            if (start + expected > head.Length)
            {
                head = head[..start];
            }
        }

        string suffix = cut ? string.Create(CultureInfo.InvariantCulture, $"… ({record.Length:N0} bytes)") : "";
        if (head.IndexOfAnyExceptInRange((byte)' ', (byte)'~') < 0)
        {
            return string.Concat(Encoding.ASCII.GetString(head), suffix); // printable ASCII: nothing to escape
        }

        if (System.Text.Unicode.Utf8.IsValid(head))
        {
            return string.Concat(EscapeControlCharacters(Encoding.UTF8.GetString(head)), suffix);
        }

        var sb = new StringBuilder(head.Length + 24);
        Span<char> pair = stackalloc char[2];
        while (!head.IsEmpty)
        {
            OperationStatus status = Rune.DecodeFromUtf8(head, out Rune rune, out int consumed);
            if (status == OperationStatus.Done)
            {
                if (rune.IsBmp && IsUnsafe((char)rune.Value))
                {
                    AppendEscape(sb, (char)rune.Value);
                }
                else if (rune.IsBmp)
                {
                    sb.Append((char)rune.Value);
                }
                else
                {
                    sb.Append(pair[..rune.EncodeToUtf16(pair)]);
                }
            }
            else
            {
                for (int i = 0; i < consumed; i++)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"\\x{head[i]:X2}");
                }
            }

            head = head[consumed..];
        }

        return sb.Append(suffix).ToString();
    }

    private static void CollectUserInfo(string text, ref List<(int Start, int Length)>? spans)
    {
        int from = 0;
        while (from < text.Length)
        {
            int sep = text.IndexOf("://", from, StringComparison.Ordinal);
            if (sep < 0)
            {
                return;
            }

            int authority = sep + 3;
            from = authority;
            if (sep == 0 || !char.IsAsciiLetterOrDigit(text[sep - 1]))
            {
                continue; // no scheme before "://"
            }

            int end = text.AsSpan(authority).IndexOfAny(s_authorityEnd);
            end = end < 0 ? text.Length : authority + end;
            int at = text.LastIndexOf('@', end - 1, end - authority);
            if (at <= authority)
            {
                continue;
            }

            int colon = text.IndexOf(':', authority, at - authority);
            int start = colon < 0 ? authority : colon + 1;
            if (at > start && !text.AsSpan(start, at - start).SequenceEqual(Mask))
            {
                (spans ??= []).Add((start, at - start));
            }

            from = end;
        }
    }

    private static void CollectParameters(string text, ref List<(int Start, int Length)>? spans)
    {
        int from = 0;
        while (from < text.Length)
        {
            int eq = text.IndexOf('=', from);
            if (eq < 0)
            {
                return;
            }

            from = eq + 1;
            int keyStart = eq;
            while (keyStart > 0 && IsKeyChar(text[keyStart - 1]))
            {
                keyStart--;
            }

            if (keyStart == eq || (keyStart > 0 && text[keyStart - 1] is not ('?' or '&' or ';' or '#' or ' ' or '\t' or '\n' or '\r' or '"' or '\'' or ',' or '(' or '[' or '{')))
            {
                continue;
            }

            if (!IsSecretName(text.AsSpan(keyStart, eq - keyStart)))
            {
                continue;
            }

            int valueStart = eq + 1;
            int valueEnd;
            if (valueStart < text.Length && text[valueStart] == '{')
            {
                int close = text.IndexOf('}', valueStart);
                valueEnd = close < 0 ? text.Length : close + 1; // ODBC: PWD={a;b}
            }
            else
            {
                int end = text.AsSpan(valueStart).IndexOfAny(s_valueEnd);
                valueEnd = end < 0 ? text.Length : valueStart + end;
            }

            if (valueEnd > valueStart && !text.AsSpan(valueStart, valueEnd - valueStart).SequenceEqual(Mask))
            {
                (spans ??= []).Add((valueStart, valueEnd - valueStart));
            }

            from = Math.Max(from, valueEnd);
        }
    }

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '%' or '[' or ']';

    private static bool IsSecretName(ReadOnlySpan<char> name)
    {
        foreach (string word in s_secretParameterWords)
        {
            if (name.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static int IndexOfUnsafe(string text)
    {
        ReadOnlySpan<char> span = text;
        int unsafeChar = span.IndexOfAny(s_unsafeChars);
        int surrogate = span.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (surrogate < 0)
        {
            return unsafeChar; // vectorized: the common case
        }

        int from = unsafeChar < 0 ? surrogate : Math.Min(unsafeChar, surrogate);
        for (int i = from; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (IsUnsafe(c))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Whether a character (not part of a valid surrogate pair) must be escaped.</summary>
    private static bool IsUnsafe(char c) => c switch
    {
        < ' ' => true,
        >= '\u007F' and <= '\u009F' => true,
        '\u061C' or '\u200B' or '\u200C' or '\u200D' or '\u200E' or '\u200F' or '\uFEFF' => true,
        >= '\u2028' and <= '\u202E' => true,
        >= '\u2066' and <= '\u2069' => true,
        _ => char.IsSurrogate(c),
    };

    private static void AppendEscape(StringBuilder sb, char c)
    {
        switch (c)
        {
            case '\n':
                sb.Append("\\n");
                break;
            case '\r':
                sb.Append("\\r");
                break;
            case '\t':
                sb.Append("\\t");
                break;
            default:
                sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
                break;
        }
    }
}
