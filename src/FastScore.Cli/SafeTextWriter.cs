using FastScore.Streams.Diagnostics;

namespace FastScore.Cli;

/// <summary>
/// Wraps the CLI's message stream (stderr): every string written goes through <see cref="SafeText.MaskSecrets"/>, so a
/// secret inside a URL (a descriptor argument, an exception message, a parse error echoing an argument) is never printed.
/// </summary>
/// <remarks>Each <c>Write(string)</c> is masked on its own: the CLI writes a message in one call.</remarks>
internal sealed class SafeTextWriter(TextWriter inner) : TextWriter(inner.FormatProvider)
{
    public override System.Text.Encoding Encoding => inner.Encoding;

    public override string NewLine
    {
#pragma warning disable CS8765 // the base setter accepts null
        get => inner.NewLine;
        set => inner.NewLine = value;
#pragma warning restore CS8765
    }

    public override void Write(char value) => inner.Write(value);

    public override void Write(string? value) => inner.Write(value is null ? null : SafeText.MaskSecrets(value));

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value) => inner.WriteLine(value is null ? null : SafeText.MaskSecrets(value));

    public override void WriteLine() => inner.WriteLine();

    public override Task WriteAsync(string? value) => inner.WriteAsync(value is null ? null : SafeText.MaskSecrets(value));

    public override Task WriteLineAsync(string? value) => inner.WriteLineAsync(value is null ? null : SafeText.MaskSecrets(value));

    public override void Flush() => inner.Flush();

    public override Task FlushAsync() => inner.FlushAsync();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
}
