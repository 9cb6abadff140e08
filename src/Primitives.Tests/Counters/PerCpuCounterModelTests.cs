using CsCheck;

using Primitives.Counters;

namespace Primitives.Tests.Counters;

/// <summary>
/// Property test: random single-threaded sequences of operations on a <see cref="PerCpuCounter"/>
/// against a plain <see langword="long"/>, checking every observer after every step.
/// </summary>
public sealed class PerCpuCounterModelTests
{
    private enum Op
    {
        Add,
        AddLarge,
        Increment,
        Decrement,
        Reset,
    }

    [Fact]
    public void RandomOperationSequencesMatchAPlainLong()
    {
        var ops = Gen.Select(Gen.Enum<Op>(), Gen.Long[-1_000, 1_000]).Array[0, 200];
        Gen.Select(Gen.Int[1, 300], ops).Sample((batch, sequence) =>
        {
            var counter = new PerCpuCounter(batch);
            long model = 0;
            foreach (var (op, value) in sequence)
            {
                switch (op)
                {
                    case Op.Add:
                        counter.Add(value);
                        model += value;
                        break;
                    case Op.AddLarge:
                        counter.Add(value * 1_000_000_007L);
                        model += value * 1_000_000_007L;
                        break;
                    case Op.Increment:
                        counter.Increment();
                        model++;
                        break;
                    case Op.Decrement:
                        counter.Decrement();
                        model--;
                        break;
                    case Op.Reset:
                        counter.Reset();
                        model = 0;
                        break;
                }

                Assert.Equal(model, counter.Sum());
                Assert.InRange(counter.ApproximateValue, model - counter.ErrorBound, model + counter.ErrorBound);
                Assert.Equal(0, counter.Compare(model));
                Assert.Equal(1, counter.Compare(model - 1));
                Assert.Equal(-1, counter.Compare(model + 1));
                Assert.Equal(Math.Sign(model - value), counter.Compare(value));
            }
        }, iter: 300);
    }
}
