
namespace Primitives.Tests;

/// <summary>
/// Every usage example in README.md must be, verbatim, a block of a compiled and passing test
/// (<see cref="ReadmeExamplesTests"/> and the closures' README test), so the README cannot drift.
/// </summary>
public sealed class ReadmeSyncTests
{
    [Theory]
    [InlineData("ReadmeExamplesTests.cs", "// BEGIN README SixLock", "// END README SixLock")]
    [InlineData("ReadmeExamplesTests.cs", "// BEGIN README Statistics", "// END README Statistics")]
    [InlineData("ReadmeExamplesTests.cs", "// BEGIN README Counters", "// END README Counters")]
    [InlineData("Closures/ClosureReadmeExampleTests.cs", "// README example begins", "// README example ends")]
    public void ReadmeShowsTheTestedExample(string testFile, string begin, string end)
    {
        string root = FindRepositoryRoot();
        string source = File.ReadAllText(Path.Combine(root, "src", "Primitives.Tests", testFile));
        int from = source.IndexOf(begin, StringComparison.Ordinal);
        int to = source.IndexOf(end, StringComparison.Ordinal);
        Assert.True(from >= 0 && to > from, $"markers {begin} / {end} not found in {testFile}");

        string example = Dedent(source[(source.IndexOf('\n', from) + 1)..source.LastIndexOf('\n', to)]);
        string readme = File.ReadAllText(Path.Combine(root, "README.md")).Replace("\r\n", "\n");
        Assert.True(readme.Contains(example, StringComparison.Ordinal),
            $"README.md does not contain the example of {testFile} ({begin}) verbatim:\n{example}");
    }

    private static string Dedent(string block)
    {
        string[] lines = block.Replace("\r\n", "\n").Split('\n');
        int indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Primitives.sln")) && File.Exists(Path.Combine(dir.FullName, "README.md")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("repository root (Primitives.sln) not found above " + AppContext.BaseDirectory);
    }
}
