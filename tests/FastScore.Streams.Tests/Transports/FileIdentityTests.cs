using System.Diagnostics;
using FastScore.Streams.Transports;

namespace FastScore.Streams.Tests.Transports;

public sealed class FileIdentityTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("fss-identity-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Two_hard_links_of_one_file_are_the_same_file_and_two_files_are_not()
    {
        string a = Path.Combine(_dir, "a.txt");
        string b = Path.Combine(_dir, "b.txt");
        string other = Path.Combine(_dir, "other.txt");
        File.WriteAllText(a, "x");
        File.WriteAllText(other, "x");
        using (Process ln = Process.Start("ln", [a, b]))
        {
            ln.WaitForExit();
        }

        Assert.Multiple(() =>
        {
            Assert.That(FileIdentity.Same(a, b), Is.True);
            Assert.That(FileIdentity.Same(a, other), Is.False, "same content, different files");
        });
    }

    [Test]
    public void A_path_that_does_not_exist_yet_is_compared_by_its_full_path()
    {
        string missing = Path.Combine(_dir, "missing.txt");
        Assert.Multiple(() =>
        {
            Assert.That(FileIdentity.Same(missing, Path.Combine(_dir, ".", "missing.txt")), Is.True);
            Assert.That(FileIdentity.Same(missing, Path.Combine(_dir, "other.txt")), Is.False);
        });
    }

    [Test]
    public void An_empty_path_is_not_an_error_here() =>
        Assert.That(FileIdentity.Same("", Path.Combine(_dir, "a.txt")), Is.False);
}
