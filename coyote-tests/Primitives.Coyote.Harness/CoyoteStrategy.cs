using Microsoft.Coyote;

namespace Primitives.Coyote;

/// <summary>
/// One exploration strategy with its fixed seed. Every Coyote test runs under several of these
/// (<see cref="Plan"/>), so a scheduling bug that one strategy is blind to (random walks rarely
/// starve a task; PCT rarely interleaves finely) is still found, and every failure names the
/// strategy and seed that reproduce it.
/// </summary>
/// <param name="Name">Name on the command line and in reports: random, pct, probabilistic, delay.</param>
/// <param name="Seed">Seed of Coyote's random generator. Consecutive seeds are correlated: use far-apart ones.</param>
public sealed record CoyoteStrategy(string Name, uint Seed)
{
    /// <summary>Priority change points of the PCT strategy: enough for 3-4 task races, still fast.</summary>
    public const uint PctPriorityChangeBound = 10;

    /// <summary>The probabilistic strategy's level (it switches task with probability 1/2^level).</summary>
    public const uint ProbabilisticLevel = 3;

    /// <summary>Delays the delay-bounding strategy may inject.</summary>
    public const uint DelayBound = 10;

    /// <summary>The names <see cref="Parse"/> accepts.</summary>
    public static readonly IReadOnlyList<string> Names = ["random", "pct", "probabilistic", "delay"];

    /// <summary>
    /// The strategies every test runs under, with far-apart fixed seeds (different prime-ish
    /// regions of the 32-bit space), so that CI is deterministic and every failure reproduces.
    /// </summary>
    public static readonly IReadOnlyList<CoyoteStrategy> Plan =
    [
        new("random", 1_000_003),
        new("pct", 1_430_026_789),
        new("probabilistic", 2_863_311_529),
    ];

    /// <summary>Parses a strategy name as printed in failure reports.</summary>
    public static CoyoteStrategy Parse(string name, uint seed) =>
        Names.Contains(name, StringComparer.OrdinalIgnoreCase)
            ? new CoyoteStrategy(name.ToLowerInvariant(), seed)
            : throw new ArgumentException($"unknown strategy '{name}' (known: {string.Join(", ", Names)})", nameof(name));

    /// <summary>Applies the strategy and its seed to a configuration.</summary>
    public Configuration Apply(Configuration configuration)
    {
        configuration = this.Name switch
        {
            "random" => configuration.WithRandomStrategy(),
            "pct" => configuration.WithPrioritizationStrategy(isFair: false, PctPriorityChangeBound),
            "probabilistic" => configuration.WithProbabilisticStrategy(ProbabilisticLevel),
            "delay" => configuration.WithDelayBoundingStrategy(isFair: false, DelayBound),
            _ => throw new InvalidOperationException($"unknown strategy '{this.Name}'"),
        };
        return configuration.WithRandomGeneratorSeed(this.Seed);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{this.Name}, seed {this.Seed}";
}
