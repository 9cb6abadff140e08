using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;

namespace NuGetConsumer;

/// <summary>Checks what the packed .nupkg (and its .snupkg) carries: the things a user relies on.</summary>
internal static class PackageCheck
{
    public static List<string> Verify(string nupkgPath)
    {
        var problems = new List<string>();
        if (!File.Exists(nupkgPath)) { problems.Add($"package not found: {nupkgPath}"); return problems; }

        using var zip = ZipFile.OpenRead(nupkgPath);
        var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        Require(names.Contains("README.md"), "README.md is not in the package");
        Require(names.Contains("lib/net10.0/Primitives.dll"), "lib/net10.0/Primitives.dll is missing");
        Require(names.Contains("lib/net10.0/Primitives.xml"), "XML docs lib/net10.0/Primitives.xml are missing");

        var nuspecEntry = zip.Entries.SingleOrDefault(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        if (nuspecEntry is null) { problems.Add("no .nuspec in the package"); return problems; }
        using (var s = nuspecEntry.Open())
        {
            var doc = XDocument.Load(s);
            XNamespace ns = doc.Root!.Name.Namespace;
            var meta = doc.Root.Element(ns + "metadata")!;
            Require((string?)meta.Element(ns + "license") == "MIT", "license expression is not MIT");
            Require((string?)meta.Element(ns + "license")?.Attribute("type") == "expression", "license is not an expression");
            Require((string?)meta.Element(ns + "readme") == "README.md", "readme is not declared");
            var repo = meta.Element(ns + "repository");
            Require(repo is not null && (string?)repo.Attribute("type") == "git" && !string.IsNullOrEmpty((string?)repo.Attribute("url")),
                "repository metadata (type, url) is missing");
            Require(!string.IsNullOrWhiteSpace((string?)meta.Element(ns + "description")), "description is missing");
        }

        var docsEntry = zip.GetEntry("lib/net10.0/Primitives.xml");
        if (docsEntry is not null)
        {
            using var s = docsEntry.Open();
            int members = XDocument.Load(s).Descendants("member").Count();
            Require(members > 20, $"XML docs hold only {members} members");
        }

        var symbols = Path.ChangeExtension(nupkgPath, ".snupkg");
        if (!File.Exists(symbols)) problems.Add($"symbols package not found: {symbols}");
        else
        {
            using var sz = ZipFile.OpenRead(symbols);
            Require(sz.Entries.Any(e => e.FullName == "lib/net10.0/Primitives.pdb"), "the symbols package has no Primitives.pdb");
        }

        // The assembly this program runs against must be the packed one, at the packed version.
        var expected = Path.GetFileNameWithoutExtension(nupkgPath)["Primitives.".Length..];
        var loaded = typeof(Primitives.Statistics.MeanAndVariance).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
        Require(loaded.Split('+')[0] == expected, $"Primitives {loaded} was loaded, expected the packed {expected}");
        return problems;

        void Require(bool ok, string problem) { if (!ok) problems.Add(problem); }
    }
}
