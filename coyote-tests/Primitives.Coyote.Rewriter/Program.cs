using System.Diagnostics;
using System.Reflection;
using Microsoft.Coyote;
using Mono.Cecil;

namespace Primitives.Coyote.Rewriter;

/// <summary>
/// <c>Primitives.Coyote.Rewriter DIR [--memory-locations] NAME.dll...</c>: rewrites the named
/// assemblies of DIR in place for Coyote. Assemblies that already carry Coyote's rewriting
/// signature are skipped, so running it after every build is cheap. Exit code 0 on success,
/// 1 on any failure (the MSBuild target fails the build), 2 on bad arguments.
/// </summary>
internal static class Program
{
    private const BindingFlags AnyInstance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    private const BindingFlags AnyStatic = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;

    private static int Main(string[] args)
    {
        var names = new List<string>();
        bool memoryLocations = false, force = false;
        string? dir = null;
        foreach (string arg in args)
        {
            switch (arg)
            {
                case "--memory-locations": memoryLocations = true; break;
                case "--force": force = true; break;
                default:
                    if (dir is null) { dir = arg; } else { names.Add(arg); }
                    break;
            }
        }

        if (dir is null || names.Count == 0)
        {
            Console.Error.WriteLine("usage: Primitives.Coyote.Rewriter DIR [--memory-locations] [--force] NAME.dll...");
            return 2;
        }

        try
        {
            dir = Path.GetFullPath(dir);
            var stopwatch = Stopwatch.StartNew();
            var pending = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in names)
            {
                string path = Path.Combine(dir, name);
                if (!File.Exists(path))
                {
                    throw new FileNotFoundException($"no assembly to rewrite at {path}", path);
                }

                if (!force && IsRewritten(path))
                {
                    Console.WriteLine($"coyote-rewrite: {name} already rewritten, skipped");
                }
                else
                {
                    pending.Add(path);
                }
            }

            if (pending.Count > 0)
            {
                Rewrite(dir, pending, memoryLocations);
                foreach (string path in pending)
                {
                    if (!IsRewritten(path))
                    {
                        throw new InvalidOperationException($"{path} carries no rewriting signature after rewriting");
                    }
                }

                Console.WriteLine($"coyote-rewrite: rewrote {string.Join(", ", pending.Select(Path.GetFileName))} in {stopwatch.ElapsedMilliseconds} ms");
            }

            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error COYOTE001: rewriting failed: {(e is TargetInvocationException { InnerException: { } inner } ? inner : e)}");
            return 1;
        }
    }

    /// <summary>
    /// Whether the assembly carries the attribute the rewriter stamps on its output
    /// (<c>Microsoft.Coyote.Rewriting.RewritingSignatureAttribute</c>). Read with Cecil from
    /// memory, so the file is neither locked nor loaded into this process.
    /// </summary>
    internal static bool IsRewritten(string path)
    {
        using var stream = new MemoryStream(File.ReadAllBytes(path));
        using var module = ModuleDefinition.ReadModule(stream);
        return module.Assembly.CustomAttributes.Any(a => a.AttributeType.FullName == "Microsoft.Coyote.Rewriting.RewritingSignatureAttribute");
    }

    private static void Rewrite(string dir, HashSet<string> paths, bool memoryLocations)
    {
        Assembly test = typeof(Microsoft.Coyote.SystematicTesting.TestingEngine).Assembly;
        Assembly core = typeof(Configuration).Assembly;
        Type optionsType = Find(test, "Microsoft.Coyote.Rewriting.RewritingOptions");
        Type engineType = Find(test, "Microsoft.Coyote.Rewriting.RewritingEngine");
        Type logWriterType = Find(core, "Microsoft.Coyote.Logging.LogWriter");
        Type profilerType = FindAny("Microsoft.Coyote.Profiler", core, test);

        object options = optionsType.GetMethod("Create", AnyStatic, Type.EmptyTypes)!.Invoke(null, null)
            ?? throw new InvalidOperationException("RewritingOptions.Create returned null");
        Set(options, "AssembliesDirectory", dir);
        Set(options, "OutputDirectory", dir);
        Set(options, "AssemblyPaths", paths);
        Set(options, "IsRewritingMemoryLocations", memoryLocations);

        Configuration configuration = Configuration.Create().WithTelemetryEnabled(false);
        object logWriter = Activator.CreateInstance(logWriterType, AnyInstance, null, [configuration, true], null)!;
        object profiler = Activator.CreateInstance(profilerType, nonPublic: true)!;

        MethodInfo run = engineType.GetMethods(AnyStatic).Single(m => m.Name == "Run" && m.GetParameters().Length == 4);
        run.Invoke(null, [options, configuration, logWriter, profiler]);
    }

    private static Type Find(Assembly assembly, string name) =>
        assembly.GetType(name, throwOnError: false) ?? throw new InvalidOperationException($"{name} not found in {assembly.GetName().Name}: Coyote's internals changed");

    private static Type FindAny(string name, params Assembly[] assemblies) =>
        assemblies.Select(a => a.GetType(name, throwOnError: false)).FirstOrDefault(t => t is not null)
        ?? throw new InvalidOperationException($"{name} not found: Coyote's internals changed");

    /// <summary>Sets an internal property or field of the options by name; fails loudly if it is gone.</summary>
    private static void Set(object target, string name, object value)
    {
        Type type = target.GetType();
        if (type.GetProperty(name, AnyInstance) is { } property)
        {
            (property.SetMethod ?? throw new InvalidOperationException($"{type.Name}.{name} has no setter")).Invoke(target, [value]);
        }
        else if (type.GetField(name, AnyInstance) is { } field)
        {
            field.SetValue(target, value);
        }
        else
        {
            throw new InvalidOperationException($"{type.Name}.{name} not found: Coyote's internals changed");
        }
    }
}
