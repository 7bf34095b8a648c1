using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Tests.Descriptors;

/// <summary>FromArgument (the command line's reader) resolves a relative file: literal against the current directory; StreamLiteral stays strict.</summary>
public sealed class RelativeFileArgumentTests
{
    [TestCase("file:data/in.jsons", "data/in.jsons")]
    [TestCase("file:./in.jsons", "./in.jsons")]
    [TestCase("FILE:../x/in.jsons", "../x/in.jsons")]
    public void A_relative_file_literal_is_resolved_against_the_current_directory(string argument, string relative)
    {
        StreamDescriptor d = StreamDescriptor.FromArgument(argument);
        Assert.Multiple(() =>
        {
            Assert.That(d.Transport, Is.EqualTo(new FileTransportDescriptor { Path = Path.GetFullPath(relative) }));
            Assert.That(d.Encoding?.Type, Is.EqualTo("json"));
        });
    }

    [Test]
    public void An_absolute_file_literal_is_kept()
    {
        string path = Path.Combine(Path.GetTempPath(), "in.jsons");
        Assert.Multiple(() =>
        {
            Assert.That(((FileTransportDescriptor)StreamDescriptor.FromArgument("file:" + path).Transport).Path, Is.EqualTo(path));
            Assert.That(((FileTransportDescriptor)StreamDescriptor.FromArgument("file://" + path).Transport).Path, Is.EqualTo(path));
        });
    }

    [Test]
    public void A_file_literal_without_a_path_is_still_an_error()
    {
        Assert.That(() => StreamDescriptor.FromArgument("file:"), Throws.TypeOf<DescriptorException>().With.Message.Contains("absolute path"));
    }

    [Test]
    public void StreamLiteral_itself_still_requires_an_absolute_path()
    {
        Assert.That(() => StreamLiteral.Expand("file:data/in.jsons"), Throws.TypeOf<DescriptorException>().With.Message.Contains("absolute path"));
    }
}
