using System.Globalization;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// The process's page faults so far (Linux <c>/proc/self/stat</c>, proc(5): field 10 minflt, field 12 majflt): a run
/// reads them at its start and its end, so the report says how many its measured part took (issue 27, session
/// eighteen: on the 2-core VM a page's first touch costs about 10 µs, and a run's fresh allocations took some 15,000).
/// </summary>
/// <param name="Minor">Faults served without I/O (a fresh page, or one still in memory).</param>
/// <param name="Major">Faults that needed I/O (a file-backed page read back).</param>
internal readonly record struct ProcessPageFaults(long Minor, long Major)
{
    /// <summary>The counts now; null where /proc/self/stat is missing or unreadable (not Linux).</summary>
    public static ProcessPageFaults? Read()
    {
        try
        {
            return Parse(File.ReadAllText("/proc/self/stat"));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The counts in one line of /proc/[pid]/stat, or null if it is not one. Field 2, the command name, is in parentheses
    /// and may itself hold spaces and parentheses: the fields after it are counted from the last ')'.
    /// </summary>
    public static ProcessPageFaults? Parse(string stat)
    {
        ArgumentNullException.ThrowIfNull(stat);
        var end = stat.LastIndexOf(')');
        if (end < 0)
        {
            return null;
        }

        // After "pid (comm) ": field 3 (state) is index 0, so field 10 (minflt) is index 7 and field 12 (majflt) index 9.
        var fields = stat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 9
            && long.TryParse(fields[7], NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            && long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            ? new ProcessPageFaults(minor, major)
            : null;
    }
}
