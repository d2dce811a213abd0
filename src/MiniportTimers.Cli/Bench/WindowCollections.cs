namespace MiniportTimers.Cli.Bench;

/// <summary>
/// The garbage collections and allocation inside one measured window of a bench row, so a row's note says when a
/// collection (or another thread's allocation) shared the window with what was measured: the burst's CPU per expiry
/// doubled in the runs where a gen-2 collection ran inside it (issue 27, session twelve).
/// </summary>
/// <param name="Gen0">Gen-0 collections counted so far (at <see cref="Start"/>) or in the window (after <see cref="Stop"/>).</param>
/// <param name="Gen1">Gen-1 collections, likewise.</param>
/// <param name="Gen2">Gen-2 collections, likewise (background ones included).</param>
/// <param name="AllocatedBytes">Bytes allocated by the whole process, likewise.</param>
internal readonly record struct WindowCollections(int Gen0, int Gen1, int Gen2, long AllocatedBytes)
{
    /// <summary>The counts at the window's opening.</summary>
    public static WindowCollections Start() =>
        new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalAllocatedBytes(precise: false));

    /// <summary>What happened since <see cref="Start"/> returned this value.</summary>
    public WindowCollections Stop()
    {
        var now = Start();
        return new(now.Gen0 - Gen0, now.Gen1 - Gen1, now.Gen2 - Gen2, now.AllocatedBytes - AllocatedBytes);
    }

    /// <summary>
    /// A row note naming the collections in the window by the highest generation each collected (GC.CollectionCount(0)
    /// counts every collection, so a gen-0-only count is Gen0 − Gen1); null when there were none.
    /// </summary>
    public string? Note =>
        Gen0 == 0 ? null
        : $"collections in the window: {Gen0 - Gen1} gen-0, {Gen1 - Gen2} gen-1, {Gen2} gen-2 ({AllocatedBytes / 1e6:0.0} MB allocated)";
}
