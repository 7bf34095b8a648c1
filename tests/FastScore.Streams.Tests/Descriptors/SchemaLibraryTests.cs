using FastScore.Streams.Descriptors;

namespace FastScore.Streams.Tests.Descriptors;

/// <summary>The schema library behind {"$ref": name}.</summary>
public sealed class SchemaLibraryTests
{
    [Test]
    public void Registered_schemas_are_found()
    {
        var library = new SchemaLibrary().Register("ints", """{"type":"array","items":"int"}""");
        Assert.Multiple(() =>
        {
            Assert.That(library.Contains("ints"), Is.True);
            Assert.That(library.TryGetSchemaJson("ints", out string? json), Is.True);
            Assert.That(json, Is.EqualTo("""{"type":"array","items":"int"}"""));
            Assert.That(library.Names, Is.EqualTo(new[] { "ints" }));
        });
    }

    [Test]
    public void Names_are_case_sensitive() =>
        Assert.That(new SchemaLibrary().Register("Iris", "\"int\"").Contains("iris"), Is.False);

    [Test]
    public void Registering_an_invalid_schema_throws_with_the_name_as_path()
    {
        var ex = Assert.Throws<DescriptorException>(() => new SchemaLibrary().Register("bad", """{"type":"record"}"""));
        Assert.That(ex!.Errors.Single().Path, Is.EqualTo("bad"));
    }

    [Test]
    public void Registering_again_replaces() =>
        Assert.That(new SchemaLibrary().Register("x", "\"int\"").Register("x", "\"long\"").Resolve(SchemaReference.Ref("x"))!.Tag, Is.EqualTo(Avro.Schema.Type.Long));

    [Test]
    public void Resolve_returns_null_for_no_schema() =>
        Assert.That(new SchemaLibrary().Resolve(SchemaReference.None), Is.Null);

    [Test]
    public void Resolve_throws_for_inherit() =>
        Assert.That(() => new SchemaLibrary().Resolve(SchemaReference.Inherit), Throws.InvalidOperationException.With.Message.Contains("$inherit"));

    [Test]
    public void Resolve_parses_inline_schemas() =>
        Assert.That(new SchemaLibrary().Resolve(SchemaReference.Inline("""{"type":"map","values":"int"}"""))!.Tag, Is.EqualTo(Avro.Schema.Type.Map));

    [Test]
    public void Resolve_throws_a_clear_error_for_a_missing_name()
    {
        var ex = Assert.Throws<DescriptorException>(() => new SchemaLibrary().Register("iris", "\"int\"").Resolve(SchemaReference.Ref("x")));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Errors.Single().Path, Is.EqualTo("Schema.$ref"));
            Assert.That(ex.Errors.Single().Message, Does.StartWith("no schema named 'x' in the schema library (known: iris"));
        });
    }

    [Test]
    public void Resolve_falls_back_to_avro_primitives() =>
        Assert.That(new SchemaLibrary().Resolve(SchemaReference.Ref("boolean"))!.Tag, Is.EqualTo(Avro.Schema.Type.Boolean));

    [Test]
    public void From_directory_loads_every_avsc_file()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"fs-schemas-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "a.avsc"), "\"int\"");
            File.WriteAllText(Path.Combine(dir, "b.avsc"), """{"type":"array","items":"string"}""");
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "ignored");
            Assert.That(SchemaLibrary.FromDirectory(dir).Names, Is.EqualTo(new[] { "a", "b" }));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void From_directory_lists_every_bad_file()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"fs-schemas-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "bad1.avsc"), "{");
            File.WriteAllText(Path.Combine(dir, "bad2.avsc"), """{"type":"nope"}""");
            File.WriteAllText(Path.Combine(dir, "good.avsc"), "\"int\"");
            var ex = Assert.Throws<DescriptorException>(() => SchemaLibrary.FromDirectory(dir));
            Assert.That(ex!.Errors.Select(e => e.Path), Is.EqualTo(new[] { "bad1.avsc", "bad2.avsc" }));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void From_directory_needs_an_existing_folder() =>
        Assert.That(() => SchemaLibrary.FromDirectory("/nonexistent/schemas"), Throws.InstanceOf<DirectoryNotFoundException>());

    [Test]
    public void A_followed_folder_finds_schemas_written_after_the_library_was_made_and_reads_changed_files_again()
    {
        string folder = Directory.CreateTempSubdirectory("fastscore-schemas-").FullName;
        try
        {
            var library = new SchemaLibrary().Register("kept", "\"int\"").Follow(folder);
            bool before = library.Contains("later");
            File.WriteAllText(Path.Combine(folder, "later.avsc"), "\"long\"");
            Avro.Schema? first = library.Resolve(SchemaReference.Ref("later"));
            File.WriteAllText(Path.Combine(folder, "later.avsc"), """{"type":"array","items":"double"}""");
            File.SetLastWriteTimeUtc(Path.Combine(folder, "later.avsc"), DateTime.UtcNow.AddMinutes(1));
            Avro.Schema? changed = library.Resolve(SchemaReference.Ref("later"));
            Assert.Multiple(() =>
            {
                Assert.That(before, Is.False);
                Assert.That(first!.Tag, Is.EqualTo(Avro.Schema.Type.Long));
                Assert.That(changed!.Tag, Is.EqualTo(Avro.Schema.Type.Array));
                Assert.That(library.Names, Is.EqualTo(new[] { "kept", "later" }));
                Assert.That(library.Resolve(SchemaReference.Ref("kept"))!.Tag, Is.EqualTo(Avro.Schema.Type.Int), "registered schemas still resolve");
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestCase("../outside")]
    [TestCase("sub/inside")]
    [TestCase(".hidden")]
    [TestCase("/etc/passwd")]
    public void A_followed_folder_is_never_left_by_a_name(string name)
    {
        string root = Directory.CreateTempSubdirectory("fastscore-schemas-").FullName;
        try
        {
            string folder = Directory.CreateDirectory(Path.Combine(root, "schemas")).FullName;
            Directory.CreateDirectory(Path.Combine(folder, "sub"));
            File.WriteAllText(Path.Combine(root, "outside.avsc"), "\"int\"");
            File.WriteAllText(Path.Combine(folder, "sub", "inside.avsc"), "\"int\"");
            File.WriteAllText(Path.Combine(folder, ".hidden.avsc"), "\"int\"");
            var library = new SchemaLibrary().Follow(folder);
            Assert.Multiple(() =>
            {
                Assert.That(library.Contains(name), Is.False);
                Assert.That(() => library.Resolve(SchemaReference.Ref(name)), Throws.InstanceOf<DescriptorException>());
                Assert.That(library.Names, Is.Empty);
            });
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void A_followed_file_that_is_not_a_schema_is_passed_over()
    {
        string folder = Directory.CreateTempSubdirectory("fastscore-schemas-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "x.avsc"), "{ not a schema");
            var library = new SchemaLibrary().Register("x", "\"int\"").Follow(folder);
            Assert.That(library.Resolve(SchemaReference.Ref("x"))!.Tag, Is.EqualTo(Avro.Schema.Type.Int));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
