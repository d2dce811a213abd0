namespace MiniportTimers.Kernel;

/// <summary>
/// The first parameter of the DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4) bug checks this emulation's verifier raises:
/// which of its rules was broken. The numbers are this project's own (Windows' Driver Verifier has its own list); the
/// bug check's detail text names the rule too.
/// </summary>
public static class VerifierRules
{
    /// <summary>A port lock acquired out of the documented order (DPC or StartIo after Interrupt).</summary>
    public const ulong LockOrder = 0x1001;

    /// <summary>Inside a timer callback, a lock the StorPortAcquireSpinLock table forbids there.</summary>
    public const ulong ForbiddenLockInTimerCallback = 0x1002;

    /// <summary>A spin lock released at an IRQL other than the one its acquire raised to.</summary>
    public const ulong ReleaseAtWrongIrql = 0x1003;

    /// <summary>A freed timer handle or object used.</summary>
    public const ulong FreedTimerUsed = 0x1004;

    /// <summary>NdisCancelTimerObject on a periodic timer above PASSIVE_LEVEL (decision A10).</summary>
    public const ulong PeriodicCancelAbovePassive = 0x1005;

    /// <summary>An executive timer used against its contract (HIGH_RESOLUTION with NO_WAKE, absolute due time on a high-resolution timer, Wait without Cancel, …).</summary>
    public const ulong ExTimerMisuse = 0x1006;

    /// <summary>An NDIS timer object allocated with an adapter's handle was still allocated when the adapter halted (MiniportHaltEx must free it).</summary>
    public const ulong TimerObjectNotFreedAtHalt = 0x1007;

    /// <summary>A timer armed after the adapter it belonged to went away: halted with the timer object still allocated, or stopped by a bug check.</summary>
    public const ulong TimerArmedAfterItsAdapterWentAway = 0x1008;

    /// <summary>NdisMOidRequestComplete for a request that is not the adapter's outstanding one (completed twice, or never pended).</summary>
    public const ulong OidRequestNotOutstanding = 0x1009;

    /// <summary>Shared memory (NdisMAllocateSharedMemory) still allocated when MiniportHalt returned.</summary>
    public const ulong SharedMemoryNotFreedAtHalt = 0x100A;

    /// <summary>NdisMFreeSharedMemory on an address that is not shared memory the adapter was given.</summary>
    public const ulong SharedMemoryFreedNotAllocated = 0x100B;

    /// <summary>NdisFreeSpinLock on a lock the calling thread holds.</summary>
    public const ulong SpinLockFreedWhileHeld = 0x100C;

    /// <summary>The parameter 1 of TIMER_OR_DPC_INVALID (0xC7) for a timer object.</summary>
    public const ulong TimerObject = 0x0;

    /// <summary>The parameter 1 of TIMER_OR_DPC_INVALID (0xC7) for a DPC object.</summary>
    public const ulong DpcObject = 0x1;
}
