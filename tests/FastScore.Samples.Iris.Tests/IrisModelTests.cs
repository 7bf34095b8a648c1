using FastScore.Streams.Engine;

namespace FastScore.Samples.Iris.Tests;

public sealed class IrisModelTests
{
    private const double SumTolerance = 1e-3;

    [Test]
    public void The_guides_single_record_is_class_C_with_probability_above_0_9()
    {
        var output = IrisModel.Predict(GuideData.SingleInput);

        Assert.Multiple(() =>
        {
            Assert.That(output.C, Is.GreaterThan(0.9f));
            Assert.That(output.PredictedClass, Is.EqualTo("C"));
            Assert.That(output.A + output.B + output.C, Is.EqualTo(1.0).Within(SumTolerance));
        });
    }

    [Test]
    public void A_setosa_like_record_is_class_A_with_probability_above_0_9()
    {
        var output = IrisModel.Predict(new IrisInput { SepalLength = 5.1f, SepalWidth = 3.5f, PetalLength = 1.4f, PetalWidth = 0.2f });

        Assert.Multiple(() =>
        {
            Assert.That(output.A, Is.GreaterThan(0.9f));
            Assert.That(output.PredictedSpecies, Is.EqualTo(IrisSpecies.Setosa));
        });
    }

    [Test]
    public void Every_guide_input_gets_probabilities_that_sum_to_1()
    {
        var inputs = GuideData.Inputs;
        using var model = new IrisModel();

        var outputs = inputs.Select(model.Score).ToList();

        Assert.That(outputs, Has.Count.EqualTo(25));
        Assert.Multiple(() =>
        {
            foreach (var o in outputs)
            {
                Assert.That(new[] { o.A, o.B, o.C }, Has.All.InRange(0f, 1f), o.ToString());
                Assert.That(o.A + o.B + o.C, Is.EqualTo(1.0).Within(SumTolerance), o.ToString());
            }
        });
    }

    [Test]
    public void Every_guide_input_is_classed_as_the_majority_of_its_5_nearest_training_flowers()
    {
        using var model = new IrisModel();

        Assert.Multiple(() =>
        {
            foreach (var input in GuideData.Inputs)
            {
                var expected = GuideData.NearestNeighbourSpecies(input, k: 5);
                Assert.That(model.Score(input).PredictedSpecies, Is.EqualTo(expected), input.ToString());
            }
        });
    }

    [Test]
    public void Every_class_is_predicted_for_some_guide_input()
    {
        using var model = new IrisModel();

        var classes = GuideData.Inputs.Select(i => model.Score(i).PredictedClass).Distinct();

        Assert.That(classes, Is.EquivalentTo(new[] { "A", "B", "C" }));
    }

    [Test]
    public void Instances_and_the_static_Predict_give_the_same_scores()
    {
        using var first = new IrisModel();
        using var second = new IrisModel();
        var input = GuideData.SingleInput;

        Assert.Multiple(() =>
        {
            Assert.That(first.Score(input), Is.EqualTo(IrisModel.Predict(input)));
            Assert.That(second.Score(input), Is.EqualTo(first.Score(input)));
        });
    }

    [Test]
    public async Task ActionAsync_emits_exactly_one_output_to_slot_1_per_input()
    {
        using var model = new IrisModel();
        var output = new RecordingOutput<IrisOutput>();
        var inputs = GuideData.Inputs;

        await ((IModel)model).BeginAsync(CancellationToken.None);
        for (var i = 0; i < inputs.Count; i++)
        {
            await model.ActionAsync(inputs[i], new RecordContext(0, i + 1), output, CancellationToken.None);
        }

        Assert.That(output.Emitted, Has.Count.EqualTo(inputs.Count));
        Assert.Multiple(() =>
        {
            Assert.That(output.Emitted.Select(e => e.Slot), Has.All.EqualTo(1));
            Assert.That(output.Emitted.Select(e => e.Value), Is.EqualTo(inputs.Select(IrisModel.Predict)));
        });
    }

    [Test]
    public void ActionAsync_honours_a_cancelled_token_without_emitting()
    {
        using var model = new IrisModel();
        var output = new RecordingOutput<IrisOutput>();

        Assert.That(
            async () => await model.ActionAsync(GuideData.SingleInput, new RecordContext(0, 1), output, new CancellationToken(canceled: true)),
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That(output.Emitted, Is.Empty);
    }

    [Test]
    public void Slots_are_0_with_the_input_schema_and_1_with_the_output_schema()
    {
        using var model = new IrisModel();
        IModel asModel = model;

        Assert.That(asModel.Slots, Is.EqualTo(new[]
        {
            new SlotDefinition(0, IrisModel.InputSchema),
            new SlotDefinition(1, IrisModel.OutputSchema),
        }));
    }
}
