using FastScore.Streams.Fuzz;

namespace FastScore.Streams.Tests.Reliability;

/// <summary>
/// Every seed input of the fuzz harness (<c>fuzz/corpus</c>) and every input the fuzzer ever crashed on
/// (<c>fuzz/regressions</c>, named after the defect) passes its target: the regression tests of what fuzzing found.
/// </summary>
public sealed class FuzzCorpusTests
{
    private static IEnumerable<TestCaseData> Inputs(string folder)
    {
        string root = Path.Combine(TestContext.CurrentContext.TestDirectory, "Fuzz", folder);
        if (!Directory.Exists(root))
        {
            yield break;
        }

        foreach (string target in Directory.GetDirectories(root).Order())
        {
            foreach (string file in Directory.GetFiles(target).Order())
            {
                yield return new TestCaseData(Path.GetFileName(target), file).SetName($"{folder}: {Path.GetFileName(target)}/{Path.GetFileName(file)}");
            }
        }
    }

    private static IEnumerable<TestCaseData> Corpus() => Inputs("corpus");

    private static IEnumerable<TestCaseData> Regressions() => Inputs("regressions");

    [TestCaseSource(nameof(Corpus))]
    public void A_seed_input_passes_its_fuzz_target(string target, string file) => FuzzTargets.All[target](File.ReadAllBytes(file));

    [TestCaseSource(nameof(Regressions))]
    public void An_input_the_fuzzer_crashed_on_passes_its_fuzz_target(string target, string file) => FuzzTargets.All[target](File.ReadAllBytes(file));

    [Test]
    public void Every_target_has_a_seed_corpus()
    {
        string root = Path.Combine(TestContext.CurrentContext.TestDirectory, "Fuzz", "corpus");
        Assert.That(FuzzTargets.All.Keys.Where(t => !Directory.Exists(Path.Combine(root, t)) || Directory.GetFiles(Path.Combine(root, t)).Length == 0), Is.Empty);
    }
}
