namespace Primitives.Closures;

/// <summary>
/// A closure was misused: a put below zero, a count overflow, a step ended twice, a closure put to
/// zero while its step still ran, a get on a finished closure. The operation that detected it has
/// undone its change where it could, so the count is never left wrapped.
/// </summary>
/// <remarks>Thread safety: immutable.</remarks>
public sealed class ClosureStateException : InvalidOperationException
{
    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public ClosureStateException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ClosureStateException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with a default message.</summary>
    public ClosureStateException() : base("A closure was misused.") { }

    /// <summary>The raw state word seen when the misuse was detected (see the decoded text in the message).</summary>
    public int StateWord { get; private init; }

    internal static ClosureStateException Create(Closure closure, int state, string what) =>
        new($"{what}. State seen: {new Closure.State(state)}; closure: {ClosureDebug.Describe(closure)}.") { StateWord = state };
}
