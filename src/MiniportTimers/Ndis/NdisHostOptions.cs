namespace MiniportTimers.Ndis;

/// <summary>How an <see cref="NdisHost"/> behaves where Windows leaves a choice.</summary>
public sealed record NdisHostOptions
{
    /// <summary>
    /// The system time (100 ns units since 1601-01-01, as KeQuerySystemTime) at engine time 0. Absolute DueTime values
    /// of NdisSetTimerObject are measured against it. Default: 2026-01-01T00:00:00Z, so virtual runs stay deterministic.
    /// </summary>
    public long SystemTimeAtEngineZero100ns { get; init; } = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).ToFileTimeUtc();
}
