using MiniportTimers.Kernel;

namespace MiniportTimers.Ndis;

/// <summary>NDIS 5 interrupts: NdisMRegisterInterrupt with MiniportISR / MiniportHandleInterrupt, over the NDIS 6 line-interrupt machinery.</summary>
public static partial class NdisApi
{
    /// <summary>
    /// Registers the adapter's interrupt (NdisMRegisterInterrupt, NDIS 5). With <paramref name="RequestIsr"/>, each
    /// interrupt (<see cref="NdisMiniportAdapter.RaiseInterrupt"/>) runs MiniportISR at the device IRQL under the interrupt
    /// lock, and MiniportHandleInterrupt at DISPATCH_LEVEL when the ISR asks for it; without it, NDIS owns the ISR:
    /// MiniportDisableInterrupt at the device IRQL, then MiniportHandleInterrupt, then MiniportEnableInterrupt
    /// synchronized with the interrupt. The handlers are the miniport's characteristics; the context is the
    /// MiniportAdapterContext (register it with NdisMSetMiniportAttributes first).
    /// </summary>
    /// <param name="Interrupt">Receives the interrupt (NDIS_MINIPORT_INTERRUPT).</param>
    /// <param name="MiniportAdapterHandle">The adapter.</param>
    /// <param name="InterruptVector">The bus vector; recorded only (there is no bus here).</param>
    /// <param name="InterruptLevel">The bus level; recorded only: the device IRQL is <see cref="NdisHostOptions.InterruptIrql"/>.</param>
    /// <param name="RequestIsr">True: MiniportISR runs for every interrupt.</param>
    /// <param name="SharedInterrupt">True when the line is shared; it requires <paramref name="RequestIsr"/>.</param>
    /// <param name="InterruptMode">NdisInterruptLevelSensitive (0) or NdisInterruptLatched (1).</param>
    /// <returns>NDIS_STATUS_SUCCESS; NDIS_STATUS_RESOURCES when one is registered already; NDIS_STATUS_FAILURE when the
    /// handlers the mode needs are missing, or a shared line without MiniportISR.</returns>
    /// <remarks>IRQL: PASSIVE_LEVEL (MiniportInitialize).</remarks>
    /// <exception cref="BugCheckException">0x0A above PASSIVE_LEVEL.</exception>
    public static uint NdisMRegisterInterrupt(out NdisInterrupt? Interrupt, NdisMiniportAdapter MiniportAdapterHandle, uint InterruptVector, uint InterruptLevel, bool RequestIsr, bool SharedInterrupt, uint InterruptMode)
    {
        ArgumentNullException.ThrowIfNull(MiniportAdapterHandle);
        Ke.RequireIrqlAtMost(KIRQL.PASSIVE_LEVEL, nameof(NdisMRegisterInterrupt));
        _ = (InterruptVector, InterruptLevel, InterruptMode);
        Interrupt = null;
        var h = MiniportAdapterHandle.Handlers;
        if (h.HandleInterruptHandler is not { } handle || (SharedInterrupt && !RequestIsr))
        {
            return NDIS_STATUS_FAILURE;
        }

        MINIPORT_ISR isr;
        MINIPORT_INTERRUPT_DPC dpc;
        if (RequestIsr)
        {
            if (h.ISRHandler is not { } miniportIsr)
            {
                return NDIS_STATUS_FAILURE;
            }

            isr = (object context, out bool queueDpc, out uint targets) =>
            {
                targets = 0;
                miniportIsr(out var recognized, out queueDpc, context);
                return recognized;
            };
            dpc = (context, _) => handle(context);
        }
        else
        {
            if (h is not { DisableInterruptHandler: { } disable, EnableInterruptHandler: { } enable })
            {
                return NDIS_STATUS_FAILURE;
            }

            isr = (object context, out bool queueDpc, out uint targets) =>
            {
                (queueDpc, targets) = (true, 0);
                disable(context);
                return true;
            };
            NdisInterrupt? registered = null;
            dpc = (context, _) =>
            {
                handle(context);
                NdisMSynchronizeWithInterruptEx(registered!, 0, c =>
                {
                    enable(c!);
                    return true;
                }, context);
            };
            var status = MiniportAdapterHandle.RegisterInterrupt(null, isr, dpc, out registered);
            Interrupt = registered;
            return status;
        }

        return MiniportAdapterHandle.RegisterInterrupt(null, isr, dpc, out Interrupt);
    }

    /// <summary>Deregisters the interrupt (NdisMDeregisterInterrupt): no ISR or MiniportHandleInterrupt runs for it afterwards.</summary>
    /// <remarks>IRQL: PASSIVE_LEVEL (MiniportHalt).</remarks>
    public static void NdisMDeregisterInterrupt(NdisInterrupt Interrupt) => NdisMDeregisterInterruptEx(Interrupt);

    /// <summary>Runs <paramref name="SynchronizeFunction"/> at the device IRQL holding the interrupt lock (NdisMSynchronizeWithInterrupt, NDIS 5).</summary>
    /// <returns>What it returned.</returns>
    /// <remarks>IRQL: &lt;= the device IRQL.</remarks>
    public static bool NdisMSynchronizeWithInterrupt(NdisInterrupt Interrupt, MINIPORT_SYNCHRONIZE_INTERRUPT SynchronizeFunction, object? SynchronizeContext) =>
        NdisMSynchronizeWithInterruptEx(Interrupt, 0, SynchronizeFunction, SynchronizeContext);
}
