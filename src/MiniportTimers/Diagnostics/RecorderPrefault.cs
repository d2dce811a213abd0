namespace MiniportTimers.Diagnostics;

/// <summary>
/// When a timer row's lateness recorders write their histograms' memory (<see cref="LatenessRecorder.Prefault()"/>), so
/// that the fire path takes no page fault when a sample lands on a page not yet written (about 10 µs each on a VM).
/// </summary>
internal enum RecorderPrefault
{
    /// <summary>Never: the samples take the faults (a virtual clock, where nothing measures them).</summary>
    None,

    /// <summary>As the row is made, on the thread making it (about 0.5 ms for the row's lateness recorder).</summary>
    Now,

    /// <summary>A page a millisecond on a thread of its own (<see cref="RecorderPrefaulter"/>), while the row is already in
    /// use (a row made on a dispatcher thread).</summary>
    InBackground,
}
