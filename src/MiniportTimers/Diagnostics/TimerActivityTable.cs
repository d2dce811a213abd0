using System.Collections.Concurrent;

namespace MiniportTimers.Diagnostics;

/// <summary>The <see cref="TimerActivity"/> rows of one host, created on first use. Thread-safe.</summary>
public sealed class TimerActivityTable
{
    private readonly ConcurrentDictionary<(string Kind, string Callback), TimerActivity> _rows = new();

    /// <summary>The row for <paramref name="kind"/> and <paramref name="callback"/>, created if new.</summary>
    internal TimerActivity For(string kind, string callback) =>
        _rows.GetOrAdd((kind, callback), static key => new TimerActivity(key.Kind, key.Callback));

    /// <summary>Every row, ordered by kind, then callback name.</summary>
    public IReadOnlyList<TimerActivity> Rows =>
        [.. _rows.Values.OrderBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Callback, StringComparer.Ordinal)];
}
