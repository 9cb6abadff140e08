namespace Tour;

/// <summary>Console formatting shared by the tour's sections.</summary>
internal static class Section
{
    public static void Header(string title)
    {
        Console.WriteLine();
        Console.WriteLine($"== {title}");
    }

    public static string Indent(string text) =>
        string.Join(Environment.NewLine, text.TrimEnd().Split('\n').Select(l => "  " + l.TrimEnd('\r')));
}
