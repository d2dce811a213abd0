namespace MiniportTimers.Samples.Harness;

/// <summary>
/// Derives sub-seeds from a run's seed. Deterministic across processes, unlike <see cref="HashCode.Combine{T1, T2}"/>,
/// whose hashes are randomized per process (which would make "same seed, same run" hold only inside one process).
/// </summary>
public static class Seeds
{
    /// <summary>A seed for part <paramref name="part"/> of a run seeded with <paramref name="seed"/>.</summary>
    public static int Derive(int seed, int part) =>
        unchecked((int)(((uint)seed * 2654435761u) ^ (((uint)part + 0x9E3779B9u) * 40503u)));
}
