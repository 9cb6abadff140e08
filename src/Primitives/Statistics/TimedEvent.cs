namespace Primitives.Statistics;

/// <summary>One recorded event of a <see cref="TimeStats"/>: its start and end, in Stopwatch ticks.</summary>
/// <param name="Start">The start timestamp.</param>
/// <param name="End">The end timestamp, not before <paramref name="Start"/>.</param>
internal readonly record struct TimedEvent(long Start, long End);
