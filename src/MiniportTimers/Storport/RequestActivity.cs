namespace MiniportTimers.Storport;

/// <summary>Requests submitted to a host's adapters and where the miniport completed them. Thread-safe.</summary>
public sealed class RequestActivity
{
    private readonly long[] _completedIn = new long[Enum.GetValues<MiniportRoutine>().Length];
    private long _submitted;

    /// <summary>Requests delivered to HwStorStartIo.</summary>
    public long Submitted => Interlocked.Read(ref _submitted);

    /// <summary>Requests completed, in any routine.</summary>
    public long Completed => _completedIn.Sum(c => Interlocked.Read(ref c));

    /// <summary>Requests completed while <paramref name="routine"/> was running (for example <see cref="MiniportRoutine.TimerCallback"/>).</summary>
    public long CompletedIn(MiniportRoutine routine) => Interlocked.Read(ref _completedIn[(int)routine]);

    internal void CountSubmitted() => Interlocked.Increment(ref _submitted);

    internal void CountCompleted(MiniportRoutine routine) => Interlocked.Increment(ref _completedIn[(int)routine]);
}
