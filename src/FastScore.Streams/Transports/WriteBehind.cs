using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FastScore.Streams.Transports;

/// <summary>
/// Starts the kernel's write-back of an output file's pages while the file is still being written (Linux
/// <c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>, every <see cref="Step"/> bytes), so the fsync at close waits for the
/// last megabyte or two instead of the whole file. It changes when the bytes reach the disk, not what is written or when
/// the output counts as durable: that is still the fsync at close (or at a flush). On other systems, on file systems
/// that do not support it, or if the C library lacks it, it does nothing.
/// </summary>
/// <remarks>
/// Why: with the default dirty-page limits the kernel writes nothing of a fresh 160 MB output during a one-second run,
/// so the final fsync wrote all of it after the last record, serially (≈ 0.1 s on an idle disk, several tenths when other
/// processes write): docs/performance.md, "Write-behind, and the two modes of the 2,000,000-record run".
/// </remarks>
internal sealed class WriteBehind(SafeFileHandle handle)
{
    /// <summary>How many written bytes start one write-back (a multiple of any page size).</summary>
    /// <remarks>1 MiB: at close 1–2 MiB are left for the fsync. With 4 MiB a 16 MB output (the CSV → json probe's 200,000
    /// records) left 4–8 MiB, and the fsync at close took 12.0–12.9 ms against 10.5 ms (medians of 28–45 runs, alternating;
    /// 256 KiB gave 9.9–10.4 ms: what remains is the disk catching up, not the step). docs/performance.md, "CSV → json,
    /// seventh session".</remarks>
    public const long Step = 1024 * 1024;

    private const uint SyncFileRangeWrite = 2; // SYNC_FILE_RANGE_WRITE: start write-back of dirty pages, do not wait for it

    private static bool s_unavailable = !OperatingSystem.IsLinux();
    private long _written;
    private long _started; // the end of the range whose write-back was started
    private bool _off = s_unavailable;

    /// <summary>Notes <paramref name="count"/> more bytes written at the end of the file, and starts the write-back of whole steps behind them.</summary>
    /// <param name="count">The bytes just written.</param>
    public void Wrote(int count)
    {
        _written += count;
        if (_off || _written - _started < 2 * Step)
        {
            return;
        }

        // Whole steps only, and one step short of the end: the page being written to is never under write-back.
        long end = (_written / Step - 1) * Step;
        try
        {
            if (SyncFileRange(handle, _started, end - _started, SyncFileRangeWrite) != 0)
            {
                _off = true; // e.g. ESPIPE or EINVAL: not a regular file, or a file system without it; the fsync at close does it all
                return;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            s_unavailable = _off = true;
            return;
        }

        _started = end;
    }

    [DllImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static extern int SyncFileRange(SafeFileHandle fd, long offset, long nbytes, uint flags);
}
