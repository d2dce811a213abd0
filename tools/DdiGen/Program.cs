using MiniportTimers.DdiGen;

var check = args.Contains("--check") || args.Contains("check");
var root = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal) && a != "check") ?? DdiGenerator.FindRepositoryRoot(AppContext.BaseDirectory);
try
{
    var stale = new List<string>();
    foreach (var (path, content) in DdiGenerator.Generate(root))
    {
        var full = Path.Combine(root, path);
        var current = File.Exists(full) ? File.ReadAllText(full) : null;
        if (current == content)
        {
            continue;
        }

        stale.Add(path);
        if (!check)
        {
            File.WriteAllText(full, content);
        }
    }

    foreach (var path in stale)
    {
        Console.WriteLine(check ? $"stale: {path}" : $"wrote {path}");
    }

    return check && stale.Count > 0 ? 1 : 0;
}
catch (ManifestException ex)
{
    Console.Error.WriteLine($"native/ddi/ddis.json: {ex.Message}");
    return 2;
}
