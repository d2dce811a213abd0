namespace MiniportTimers.Storport;

/// <summary>The locks StorPortAcquireSpinLock takes (storport.h values).</summary>
public enum STOR_SPINLOCK
{
    /// <summary>1: the DPC lock (DISPATCH_LEVEL).</summary>
    DpcLock = 1,

    /// <summary>2: the StartIo lock (DISPATCH_LEVEL); held around HwStorStartIo and every timer callback.</summary>
    StartIoLock = 2,

    /// <summary>3: the Interrupt lock (the adapter's device IRQL); held around HwStorInterrupt.</summary>
    InterruptLock = 3,
}
