using MiniportTimers.Kernel;

namespace MiniportTimers.Ndis;

public static partial class NdisApi
{
    /// <summary>
    /// Registers the adapter's interrupt (NdisMRegisterInterruptEx, line-based): MiniportInterrupt runs at the device
    /// IRQL (the host's <see cref="NdisHostOptions.InterruptIrql"/>) holding the interrupt lock when
    /// <see cref="NdisMiniportAdapter.RaiseInterrupt"/> delivers one; MiniportInterruptDPC runs at DISPATCH_LEVEL when it
    /// asks for it.
    /// </summary>
    /// <param name="MiniportAdapterHandle">The adapter.</param>
    /// <param name="MiniportInterruptContext">What the interrupt routines receive (null: the adapter's context).</param>
    /// <param name="MiniportInterruptCharacteristics">The two routines, both required.</param>
    /// <param name="NdisInterruptHandle">Receives the handle; null on failure.</param>
    /// <returns>NDIS_STATUS_SUCCESS; NDIS_STATUS_INVALID_PARAMETER for a missing routine; NDIS_STATUS_RESOURCES when an interrupt is already registered.</returns>
    /// <remarks>IRQL: PASSIVE_LEVEL (MiniportInitializeEx).</remarks>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above PASSIVE_LEVEL.</exception>
    public static uint NdisMRegisterInterruptEx(NdisMiniportAdapter MiniportAdapterHandle, object? MiniportInterruptContext, NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS MiniportInterruptCharacteristics, out NdisInterrupt? NdisInterruptHandle)
    {
        ArgumentNullException.ThrowIfNull(MiniportAdapterHandle);
        Ke.RequireIrqlAtMost(KIRQL.PASSIVE_LEVEL, nameof(NdisMRegisterInterruptEx));
        NdisInterruptHandle = null;
        if (MiniportInterruptCharacteristics is not { InterruptHandler: { } isr, InterruptDpcHandler: { } dpc })
        {
            return NDIS_STATUS_INVALID_PARAMETER;
        }

        return MiniportAdapterHandle.RegisterInterrupt(MiniportInterruptContext, isr, dpc, out NdisInterruptHandle);
    }

    /// <summary>Deregisters the interrupt (NdisMDeregisterInterruptEx): no interrupt routine starts afterwards.</summary>
    /// <param name="NdisInterruptHandle">The handle.</param>
    /// <remarks>IRQL: PASSIVE_LEVEL (MiniportHaltEx).</remarks>
    public static void NdisMDeregisterInterruptEx(NdisInterrupt NdisInterruptHandle)
    {
        ArgumentNullException.ThrowIfNull(NdisInterruptHandle);
        NdisInterruptHandle.IsDeregistered = true;
        NdisInterruptHandle.Dpc.Remove();
    }

    /// <summary>
    /// Runs <paramref name="SynchronizeFunction"/> synchronized with MiniportInterrupt (NdisMSynchronizeWithInterruptEx):
    /// at the device IRQL holding the interrupt lock, as KeSynchronizeExecution does.
    /// </summary>
    /// <param name="NdisInterruptHandle">The interrupt.</param>
    /// <param name="MessageId">0 for a line-based interrupt (ignored).</param>
    /// <param name="SynchronizeFunction">The routine; it must be short.</param>
    /// <param name="SynchronizeContext">Passed to the routine.</param>
    /// <returns>What the routine returned.</returns>
    /// <remarks>IRQL: &lt;= the device IRQL. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">IRQL_NOT_GREATER_OR_EQUAL (0x09) above the device IRQL; SPIN_LOCK_ALREADY_OWNED (0x0F) inside MiniportInterrupt (it holds the lock).</exception>
    public static bool NdisMSynchronizeWithInterruptEx(NdisInterrupt NdisInterruptHandle, uint MessageId, MINIPORT_SYNCHRONIZE_INTERRUPT SynchronizeFunction, object? SynchronizeContext)
    {
        ArgumentNullException.ThrowIfNull(NdisInterruptHandle);
        ArgumentNullException.ThrowIfNull(SynchronizeFunction);
        _ = MessageId;
        var old = NdisInterruptHandle.SpinLock.Acquire();
        try
        {
            return SynchronizeFunction(SynchronizeContext);
        }
        finally
        {
            if (NdisInterruptHandle.SpinLock.IsOwnedByCurrentThread)
            {
                NdisInterruptHandle.SpinLock.Release(old);
            }
        }
    }
}
