using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;

namespace MiniportTimers.Storport;

public static partial class StorPort
{
    /// <summary>
    /// Acquires one of the adapter's port locks (nf-storport-storportacquirespinlock): the DPC and StartIo locks raise to
    /// DISPATCH_LEVEL, the Interrupt lock to the adapter's device IRQL. Order: DPC or StartIo first, then Interrupt.
    /// </summary>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <param name="spinLock">Which lock.</param>
    /// <param name="lockContext">Unused here (Windows uses it for the DPC lock's DPC).</param>
    /// <param name="lockHandle">Receives what <see cref="StorPortReleaseSpinLock"/> needs.</param>
    /// <remarks>IRQL: &lt;= the lock's level. Thread-safe.</remarks>
    /// <exception cref="ArgumentException">The lock kind is not one of the three.</exception>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E, P1 = STATUS_ACCESS_VIOLATION) for an extension no host created.</exception>
    /// <exception cref="BugCheckException">SPIN_LOCK_ALREADY_OWNED (0x0F) when the thread holds the lock (for example the StartIo lock inside a timer callback); IRQL_NOT_GREATER_OR_EQUAL (0x09) above the lock's level. With the verifier: DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4) with <see cref="VerifierRules.LockOrder"/> for DPC/StartIo after Interrupt, or <see cref="VerifierRules.ForbiddenLockInTimerCallback"/> for the DPC lock inside a timer callback.</exception>
    public static void StorPortAcquireSpinLock(object? hwDeviceExtension, STOR_SPINLOCK spinLock, object? lockContext, ref STOR_LOCK_HANDLE lockHandle)
    {
        _ = lockContext;
        var adapter = AdapterRegistry.Require(hwDeviceExtension, nameof(StorPortAcquireSpinLock));
        var kernelLock = spinLock switch
        {
            STOR_SPINLOCK.DpcLock => adapter.DpcSpinLock,
            STOR_SPINLOCK.StartIoLock => adapter.StartIoSpinLock,
            STOR_SPINLOCK.InterruptLock => adapter.InterruptSpinLock,
            _ => throw new ArgumentException($"Unknown lock {spinLock}.", nameof(spinLock)),
        };
        VerifyAcquire(adapter, spinLock);

        lockHandle.Lock = spinLock;
        lockHandle.OldIrql = kernelLock.Acquire();
        lockHandle.Held = kernelLock;
    }

    /// <summary>The verifier's lock rules: the documented order, and the StorPortAcquireSpinLock table for timer callbacks.</summary>
    private static void VerifyAcquire(StorportAdapter adapter, STOR_SPINLOCK spinLock)
    {
        if (spinLock != STOR_SPINLOCK.InterruptLock && adapter.InterruptSpinLock.IsOwnedByCurrentThread)
        {
            adapter.Host.Misuse(adapter.Name, Misuses.LockOrder, $"{spinLock} acquired while holding the Interrupt lock; the order is DPC or StartIo first, then Interrupt", $"{spinLock} acquired while holding the Interrupt lock (the order is DPC or StartIo first, then Interrupt): acquired.", (ulong)spinLock);
        }

        if (spinLock == STOR_SPINLOCK.DpcLock && StorportRoutines.Current == MiniportRoutine.TimerCallback)
        {
            adapter.Host.Misuse(adapter.Name, Misuses.ForbiddenLockInTimerCallback, "HwStorTimer may acquire only the Interrupt lock (full duplex); it acquired the DPC lock", "HwStorTimer acquired the DPC lock; it may acquire only the Interrupt lock (full duplex): acquired.", (ulong)spinLock);
        }
    }

    /// <summary>Releases a lock taken with <see cref="StorPortAcquireSpinLock"/> and restores the IRQL (nf-storport-storportreleasespinlock).</summary>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <param name="lockHandle">The handle the acquire filled in.</param>
    /// <exception cref="ArgumentException">The handle holds no lock.</exception>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E, P1 = STATUS_ACCESS_VIOLATION) for an extension no host created; SPIN_LOCK_NOT_OWNED (0x10) when the thread does not hold it. With the verifier: 0xC4 with <see cref="VerifierRules.ReleaseAtWrongIrql"/> when the IRQL is not the one the acquire raised to.</exception>
    public static void StorPortReleaseSpinLock(object? hwDeviceExtension, ref STOR_LOCK_HANDLE lockHandle)
    {
        var adapter = AdapterRegistry.Require(hwDeviceExtension, nameof(StorPortReleaseSpinLock));
        var held = lockHandle.Held ?? throw new ArgumentException("The lock handle holds no lock.", nameof(lockHandle));
        if (Ke.KeGetCurrentIrql() is var irql && irql != held.SynchronizeIrql)
        {
            adapter.Host.Misuse(adapter.Name, Misuses.ReleaseAtWrongIrql, $"{held.Name} released at {irql.IrqlName()}; it was acquired at {held.SynchronizeIrql.IrqlName()}", $"{held.Name} released at {irql.IrqlName()}; it was acquired at {held.SynchronizeIrql.IrqlName()}: released.", (ulong)irql, (ulong)held.SynchronizeIrql);
        }

        lockHandle.Held = null;
        held.Release(lockHandle.OldIrql);
    }

    /// <summary>
    /// Runs <paramref name="synchronizedAccessRoutine"/> synchronized with HwStorInterrupt: at the adapter's device IRQL
    /// holding its Interrupt lock, as KeSynchronizeExecution does (nf-storport-storportsynchronizeaccess). Full-duplex
    /// miniports use it for data HwStorStartIo shares with the interrupt routine.
    /// </summary>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <param name="synchronizedAccessRoutine">The routine; it must be short, and must not acquire the StartIo or DPC lock.</param>
    /// <param name="context">Passed to the routine.</param>
    /// <returns>What the routine returned.</returns>
    /// <remarks>
    /// IRQL: at most the device IRQL. When the calling thread already holds the Interrupt lock (half duplex StartIo or
    /// timer callback, HwStorInterrupt) the routine runs at once, without taking it again (it is already synchronized;
    /// taking it twice would be SPIN_LOCK_ALREADY_OWNED). Thread-safe. The Interrupt lock is the one lock of ours held
    /// around the routine, as Windows documents.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="synchronizedAccessRoutine"/> is null.</exception>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E, P1 = STATUS_ACCESS_VIOLATION) for an extension no host created.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_GREATER_OR_EQUAL (0x09) above the device IRQL.</exception>
    public static bool StorPortSynchronizeAccess(object? hwDeviceExtension, STOR_SYNCHRONIZED_ACCESS synchronizedAccessRoutine, object? context)
    {
        ArgumentNullException.ThrowIfNull(synchronizedAccessRoutine);
        var adapter = AdapterRegistry.Require(hwDeviceExtension, nameof(StorPortSynchronizeAccess));
        var interruptLock = adapter.InterruptSpinLock;
        if (interruptLock.IsOwnedByCurrentThread)
        {
            return synchronizedAccessRoutine(adapter.DeviceExtension, context);
        }

        var oldIrql = interruptLock.Acquire();
        try
        {
            return synchronizedAccessRoutine(adapter.DeviceExtension, context);
        }
        finally
        {
            if (interruptLock.IsOwnedByCurrentThread)
            {
                interruptLock.Release(oldIrql);
            }
        }
    }

    /// <summary>
    /// Initializes a miniport DPC (nf-storport-storportinitializedpc). Call in HwStorFindAdapter or later.
    /// </summary>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <param name="dpc">The DPC object to initialize.</param>
    /// <param name="hwDpcRoutine">The routine; runs at DISPATCH_LEVEL with no port lock.</param>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E, P1 = STATUS_ACCESS_VIOLATION) for an extension no host created.</exception>
    public static void StorPortInitializeDpc(object? hwDeviceExtension, STOR_DPC dpc, HW_DPC_ROUTINE hwDpcRoutine)
    {
        ArgumentNullException.ThrowIfNull(dpc);
        ArgumentNullException.ThrowIfNull(hwDpcRoutine);
        var adapter = AdapterRegistry.Require(hwDeviceExtension, nameof(StorPortInitializeDpc));
        dpc.Adapter = adapter;
        dpc.Routine = hwDpcRoutine;
        dpc.Queue = new DpcQueueEntry(adapter.Host.Engine, static d => ((STOR_DPC)d).Adapter!.RunDpc((STOR_DPC)d), dpc);
    }

    /// <summary>
    /// Queues a DPC (nf-storport-storportissuedpc): it runs at DISPATCH_LEVEL as soon as possible, on the dispatcher of the
    /// adapter's processor (HostedAdapter.Processor).
    /// </summary>
    /// <returns>True if the DPC was queued; false if it was already queued (its arguments are not updated) or never initialized.</returns>
    /// <remarks>IRQL: any. Thread-safe.</remarks>
    public static bool StorPortIssueDpc(object? hwDeviceExtension, STOR_DPC dpc, object? systemArgument1, object? systemArgument2)
    {
        ArgumentNullException.ThrowIfNull(dpc);
        // The check, the argument writes and the arming are one step in the queue entry (two racing callers: one TRUE).
        return dpc.Queue is { } queue && ReferenceEquals(AdapterRegistry.Find(hwDeviceExtension), dpc.Adapter) && queue.Insert(systemArgument1, systemArgument2, dpc.Adapter!.Processor);
    }

    /// <summary>
    /// Busy-waits <paramref name="delayMicroseconds"/> µs (nf-storport-storportstallexecution), as
    /// <see cref="Ke.KeStallExecutionProcessor"/> does: on a virtual clock at DISPATCH_LEVEL or above the clock moves
    /// forward without firing anything, as a stalled CPU would (timers due meanwhile fire late); below DISPATCH_LEVEL
    /// (HwPassiveInitialize's wait loop) what comes due meanwhile runs, timers and device models alike.
    /// </summary>
    /// <param name="delayMicroseconds">The stall, µs.</param>
    /// <remarks>IRQL: any. Uses the engine of the host whose routine the thread is running, else the machine clock.</remarks>
    public static void StorPortStallExecution(uint delayMicroseconds) => Ke.KeStallExecutionProcessor(delayMicroseconds);

    /// <summary>
    /// The system time (nf-storport-storportquerysystemtime): 100 ns units since 1601-01-01 on the host's epoch
    /// (<see cref="KernelHostOptions.SystemTimeAtEngineZero100ns"/>), read from the host's engine (virtual or real).
    /// </summary>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <param name="currentTime">Receives the time, 100 ns since 1601.</param>
    /// <returns>STOR_STATUS_SUCCESS, or STOR_STATUS_INVALID_PARAMETER for an extension no host created (currentTime 0).</returns>
    /// <remarks>IRQL: any. Thread-safe.</remarks>
    public static uint StorPortQuerySystemTime(object? hwDeviceExtension, out long currentTime)
    {
        if (ResolveAdapter(hwDeviceExtension) is not { } adapter)
        {
            currentTime = 0;
            return STOR_STATUS_INVALID_PARAMETER;
        }

        currentTime = adapter.Host.SystemTime100ns(adapter.Host.Engine.NowNanoseconds);
        return STOR_STATUS_SUCCESS;
    }

    /// <summary>
    /// StorPortQuerySystemTime as Windows x64 declares it (<c>VOID StorPortQuerySystemTime(PLARGE_INTEGER CurrentTime)</c>):
    /// the system time of the host whose routine the calling thread runs, in 100 ns units since 1601-01-01 (the virtual
    /// clock's epoch on a virtual host). IRQL: any. Thread-safe.
    /// See https://learn.microsoft.com/windows-hardware/drivers/ddi/storport/nf-storport-storportquerysystemtime.
    /// </summary>
    /// <param name="currentTime">The system time, 100 ns since 1601-01-01.</param>
    public static void StorPortQuerySystemTime(out long currentTime) => Ke.KeQuerySystemTime(out currentTime);
}
