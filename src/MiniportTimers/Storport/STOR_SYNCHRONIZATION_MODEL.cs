namespace MiniportTimers.Storport;

/// <summary>PORT_CONFIGURATION_INFORMATION.SynchronizationModel (storport.h values).</summary>
public enum STOR_SYNCHRONIZATION_MODEL
{
    /// <summary>0: half duplex: HwStorStartIo and timer callbacks also hold the Interrupt lock, at the device IRQL.</summary>
    StorSynchronizeHalfDuplex = 0,

    /// <summary>1: full duplex: HwStorStartIo and timer callbacks hold only the StartIo lock, at DISPATCH_LEVEL.</summary>
    StorSynchronizeFullDuplex = 1,
}
