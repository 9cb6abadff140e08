#if PRIMITIVES_MUTANTS
namespace Primitives.Internal;

/// <summary>
/// The bug zoo's switch: compiled only into the mutant build of the library
/// (<c>coyote-tests/</c> builds the sources again with <c>PRIMITIVES_MUTANTS</c> defined), never
/// into the package. Library code marks a historical bug as
/// <code>
/// #if PRIMITIVES_MUTANTS
///     if (Mutations.IsActive(SixLockMutants.PlainLostWakeup)) { /* the buggy variant */ }
/// #endif
/// </code>
/// and a bug-zoo test activates one mutant at a time and shows Coyote finds it.
/// </summary>
internal static class Mutations
{
    /// <summary>The name of the active mutant, or <see langword="null"/> for the real code.</summary>
    public static volatile string? Active;

    /// <summary>Whether the mutant called <paramref name="name"/> is the active one.</summary>
    public static bool IsActive(string name) => string.Equals(Active, name, StringComparison.Ordinal);
}
#endif
