using System.Text.RegularExpressions;
using FastScore.Streams.TestUtilities;

namespace FastScore.Cli.Tests;

/// <summary>
/// Issue 12 point 3 through <c>fastscore run</c>: a real file with a 50 MB line in the middle of good records is scored
/// to the end; the line is rejected and reported with its slot, record number and byte position.
/// </summary>
[Category("Integration")]
public sealed class RunOversizeTests
{
    private const int Before = 500;
    private const int After = 1033;
    private const long LineBytes = 50L * 1024 * 1024;
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fastscore-cli-oversize-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task A_50_MB_line_is_rejected_with_slot_record_and_byte_and_every_good_record_after_it_is_scored()
    {
        string input = Path.Combine(_dir, "in.jsons");
        long offset = OversizedLineFile.Write(input, Before, LineBytes, After);
        string output = Path.Combine(_dir, "out.jsons");

        var (exit, _, err, _) = await CliRunner.RunAsync("run", "echo", "file:" + input, "file:" + output);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(0), err);
            Assert.That(File.ReadAllLines(output), Is.EqualTo(OversizedLineFile.Records(Before + After)));
            Assert.That(err, Does.Contain("engine: FINISHED"));
            Assert.That(err, Does.Contain($"slot 0 record {Before + 1} (byte {offset}): rejected by encoding: the record is longer than MaxRecordSize (8388608 bytes)"));
            Assert.That(err, Does.Match(@"0\s+in\s+file:\S+in\.jsons\s+yes\s+1,533\s+[\d,]+\s+1\s+0\s+1\s"), "records 1,533, rej.encoding 1, rej.schema 0, oversized 1");
        });
    }

    [Test]
    public async Task Under_OnOversize_fail_the_run_exits_1_naming_slot_record_and_byte_after_scoring_the_records_before_it()
    {
        string input = Path.Combine(_dir, "in.jsons");
        long offset = OversizedLineFile.Write(input, Before, LineBytes, After);
        string descriptor = Path.Combine(_dir, "in.json");
        await File.WriteAllTextAsync(descriptor, $$"""{"Transport": {"Type": "file", "Path": "{{input}}"}, "Envelope": {"Type": "delimited", "OnOversize": "fail"}, "Encoding": "json"}""");
        string output = Path.Combine(_dir, "out.jsons");

        var (exit, _, err, _) = await CliRunner.RunAsync("run", "echo", descriptor, "file:" + output);

        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(1), err);
            Assert.That(err, Does.Contain("engine: ERROR"));
            Assert.That(Regex.IsMatch(err, $@"error: slot 0 \(.*\): record {Before + 1} \(byte {offset}\): The record is longer than MaxRecordSize \(8388608 bytes\)"), Is.True, err);
            Assert.That(File.ReadAllLines(output), Is.EqualTo(OversizedLineFile.Records(Before)));
        });
    }
}
