namespace MiniportTimers.Hosting.Routines;

/// <summary>Port locks a routine runs under, as the stack documents them (Storport's StartIo and Interrupt locks; NDIS holds none).</summary>
[Flags]
internal enum RoutineLocks
{
    /// <summary>No port lock.</summary>
    None = 0,

    /// <summary>The adapter's StartIo lock (taken first).</summary>
    StartIo = 1,

    /// <summary>The adapter's Interrupt lock (taken second).</summary>
    Interrupt = 2,
}
