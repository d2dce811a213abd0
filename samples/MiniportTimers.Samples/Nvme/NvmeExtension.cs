using MiniportTimers.Storport;

namespace MiniportTimers.Samples.Nvme;

/// <summary>
/// The NVMe adapter's device extension: the start state machine, the removal watchdog's timer handle, the completion
/// DPC, and the commands in flight. <see cref="Outstanding"/> is touched only under the StartIo lock (held around
/// HwStorStartIo and the timer callbacks; taken explicitly in the DPC).
/// </summary>
public sealed class NvmeExtension(NvmeController controller)
{
    /// <summary>The controller behind the adapter.</summary>
    public NvmeController Controller { get; } = controller;

    /// <summary>The watchdog's timer (StorPortInitializeTimer in HwFindAdapter); null on Windows 7 or once freed.</summary>
    public StorPortTimerHandle? Timerhandle { get; set; }

    /// <summary>Where the start state machine is.</summary>
    public NvmeInitState State { get; set; }

    /// <summary>NVMeRunning's check-back interval, µs.</summary>
    public uint CheckbackIntervalMicroseconds { get; set; } = 5_000;

    /// <summary>Time spent waiting on CSTS.RDY, µs.</summary>
    public long ReadyWaitedMicroseconds { get; set; }

    /// <summary>Engine time the start attempt began, ns.</summary>
    public long StartedAtNanoseconds { get; set; }

    private volatile bool _shuttingDown;

    /// <summary>Set by shutdown and removal: the watchdog returns at once.</summary>
    public bool ShuttingDown
    {
        get => _shuttingDown;
        set => _shuttingDown = value;
    }

    private volatile bool _deviceGone;

    /// <summary>Set by the watchdog when VS reads all-ones.</summary>
    public bool DeviceGone
    {
        get => _deviceGone;
        set => _deviceGone = value;
    }

    private volatile HW_TIMER? _legacyPending;

    /// <summary>The routine the legacy timer was last asked to run, until it runs (to count "last request wins").</summary>
    public HW_TIMER? LegacyPending
    {
        get => _legacyPending;
        set => _legacyPending = value;
    }

    /// <summary>The completion DPC (StorPortInitializeDpc in HwFindAdapter).</summary>
    public STOR_DPC CompletionDpc { get; } = new();

    /// <summary>I/O in flight by tag (StartIo lock).</summary>
    public Dictionary<long, SCSI_REQUEST_BLOCK> Outstanding { get; } = [];

    /// <summary>What this adapter's driver did.</summary>
    public NvmeCounters Counters { get; } = new();
}
