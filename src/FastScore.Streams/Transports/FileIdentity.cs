using System.Runtime.InteropServices;
using System.Text;
using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Transports;

/// <summary>
/// Tells whether two paths name the same file, however they are spelt: relative or absolute, through symbolic links,
/// or as two hard links of one file. On Linux it compares the device and inode numbers (<c>statx</c>); elsewhere, or
/// when a path does not exist yet, it compares the full paths with symbolic links resolved.
/// </summary>
internal static class FileIdentity
{
    private const int AtFdCwd = -100;
    private const uint StatxIno = 0x100;

    /// <summary>Whether <paramref name="a"/> and <paramref name="b"/> are the same file.</summary>
    public static bool Same(string a, string b)
    {
        if (TryGetId(a, out (ulong Device, ulong Inode) idA) && TryGetId(b, out (ulong Device, ulong Inode) idB))
        {
            return idA == idB;
        }

        return string.Equals(Canonical(a), Canonical(b), OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>
    /// Finds an output that writes to a file an input reads: returns a message naming both slots, or
    /// <see langword="null"/>. Only <c>file</c> transports are compared.
    /// </summary>
    /// <param name="streams">The slots' descriptors (even slots are inputs).</param>
    public static string? FindOutputOverInput(ReadOnlySpan<SlotStream> streams)
    {
        foreach ((int output, StreamDescriptor written) in streams)
        {
            if (output % 2 != 1 || written.Transport is not FileTransportDescriptor { Path: var target })
            {
                continue;
            }

            foreach ((int input, StreamDescriptor read) in streams)
            {
                if (input % 2 != 0 || read.Transport is not FileTransportDescriptor { Path: var source })
                {
                    continue;
                }

                if (Same(source, target))
                {
                    string how = FullPath(source) == FullPath(target) ? "" : " (the same file under another name: a symbolic or hard link)";
                    return $"Output slot {output} (file:{target}) is the same file as input slot {input} (file:{source}){how}: writing it would destroy the input. Write the output to another file.";
                }
            }
        }

        return null;
    }

    /// <summary>A slot and its descriptor (a type of this assembly, not a tuple: ReadyToRun precompiles generics over it).</summary>
    /// <param name="Slot">The slot number.</param>
    /// <param name="Descriptor">Its descriptor.</param>
    internal readonly record struct SlotStream(int Slot, StreamDescriptor Descriptor);

    private static string FullPath(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return path; // not a usable path: the descriptor's own validation reports it
        }
    }

    private static string Canonical(string path)
    {
        string full = FullPath(path);
        try
        {
            return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return full;
        }
    }

    private static bool TryGetId(string path, out (ulong Device, ulong Inode) id)
    {
        id = default;
        if (!OperatingSystem.IsLinux() || path.Length == 0)
        {
            return false;
        }

        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        try
        {
            if (Statx(AtFdCwd, bytes, 0, StatxIno, out StatxBuffer buffer) != 0 || (buffer.Mask & StatxIno) == 0)
            {
                return false; // does not exist (yet), or no inode number: compare paths
            }

            id = (((ulong)buffer.DevMajor << 32) | buffer.DevMinor, buffer.Ino);
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // a C library without statx: compare paths
        }
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int dirfd, byte[] pathname, int flags, uint mask, out StatxBuffer buffer);

    /// <summary>The kernel's <c>struct statx</c> (the same layout on every Linux architecture), the fields used here.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(0)]
        public uint Mask;

        [FieldOffset(32)]
        public ulong Ino;

        [FieldOffset(136)]
        public uint DevMajor;

        [FieldOffset(140)]
        public uint DevMinor;
    }
}
