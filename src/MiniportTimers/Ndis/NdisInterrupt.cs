using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;

namespace MiniportTimers.Ndis;

/// <summary>
/// An adapter's registered interrupt (the NdisInterruptHandle of NdisMRegisterInterruptEx): its interrupt spin lock at the
/// adapter's device IRQL, MiniportInterrupt, and the DPC that runs MiniportInterruptDPC.
/// </summary>
/// <remarks>Thread safety: an interrupt may be raised from any thread at or below DISPATCH_LEVEL.</remarks>
public sealed class NdisInterrupt
{
    internal NdisInterrupt(NdisMiniportAdapter adapter, object? context, MINIPORT_ISR isr, MINIPORT_INTERRUPT_DPC dpc, KIRQL deviceIrql)
    {
        Adapter = adapter;
        Context = context ?? adapter;
        Isr = isr;
        DpcHandler = dpc;
        SpinLock = new KSpinLock($"{adapter.Name}.InterruptLock", deviceIrql);
        Dpc = new DpcQueueEntry(adapter.Host.Engine, static i => ((NdisInterrupt)i).Adapter.RunInterruptDpc((NdisInterrupt)i), this);
    }

    /// <summary>The adapter.</summary>
    public NdisMiniportAdapter Adapter { get; }

    /// <summary>The MiniportInterruptContext every interrupt routine receives.</summary>
    public object Context { get; }

    /// <summary>True after NdisMDeregisterInterruptEx.</summary>
    public bool IsDeregistered { get; internal set; }

    internal MINIPORT_ISR Isr { get; }

    internal MINIPORT_INTERRUPT_DPC DpcHandler { get; }

    internal KSpinLock SpinLock { get; }

    internal DpcQueueEntry Dpc { get; }
}
