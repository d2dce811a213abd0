namespace MiniportTimers.Samples.Nvme;

/// <summary>The states of the OFA NVMe driver's start state machine (NVMeRunning), in order.</summary>
public enum NvmeInitState
{
    /// <summary>Not started.</summary>
    Idle,

    /// <summary>CC.EN set; polling CSTS.RDY every 5 ms up to CAP.TO.</summary>
    WaitOnRDY,

    /// <summary>IDENTIFY CONTROLLER outstanding.</summary>
    WaitOnIdentifyCtrl,

    /// <summary>IDENTIFY NAMESPACE outstanding.</summary>
    WaitOnIdentifyNS,

    /// <summary>CREATE I/O COMPLETION and SUBMISSION QUEUE outstanding.</summary>
    WaitOnIoQueues,

    /// <summary>SET FEATURES (number of queues, interrupt coalescing) outstanding.</summary>
    WaitOnSetFeatures,

    /// <summary>Started: I/O flows, the removal watchdog runs every second.</summary>
    StartComplete,

    /// <summary>The start failed (CAP.TO passed, or the passive wait timed out).</summary>
    Failed,
}
