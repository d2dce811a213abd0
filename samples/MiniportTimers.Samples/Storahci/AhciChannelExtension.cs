using MiniportTimers.Storport;
using static MiniportTimers.Devices.Ahci.AhciRegisters;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Storahci;

/// <summary>The port start phases of storahci's P_Running state machine (real-drivers.md S1 step 5).</summary>
public enum StartPhase
{
    /// <summary>Waiting for DET to leave 0 (at most 3 polls of 10 ms).</summary>
    Det,

    /// <summary>DET = 1: device present, waiting for PHY (at most 100 × 10 ms, then COMRESET).</summary>
    Det1,

    /// <summary>After COMRESET, waiting for DET = 3 (at most 100 × 10 ms).</summary>
    Det3,

    /// <summary>Waiting for FIS receive to run (at most 5 × 10 ms).</summary>
    Fre,

    /// <summary>Waiting for BSY/DRQ to clear (20 ms polls; COMRESET at try 50).</summary>
    BsyDrq,
}

/// <summary>How a port's start attempt ended.</summary>
public enum PortOutcome
{
    /// <summary>Still starting.</summary>
    Starting,

    /// <summary>Started: CMD.ST set, I/O flows.</summary>
    Running,

    /// <summary>No device attached.</summary>
    NoDevice,

    /// <summary>Gave up (a phase limit, or 60 s in all).</summary>
    Failed,

    /// <summary>Powered down (D3).</summary>
    Stopped,
}

/// <summary>storahci's per-port state (AHCI_CHANNEL_EXTENSION, reduced to what the timer paths use).</summary>
public sealed class AhciChannelExtension
{
    internal AhciChannelExtension(AhciAdapterExtension adapter, int portNumber, nint px, nint memory, ulong memoryPhysical)
    {
        AdapterExtension = adapter;
        PortNumber = portNumber;
        Px = px;
        Memory = memory;
        MemoryPhysical = memoryPhysical;
    }

    /// <summary>The adapter this port belongs to.</summary>
    public AhciAdapterExtension AdapterExtension { get; }

    /// <summary>The port number (PathId of its requests).</summary>
    public int PortNumber { get; }

    /// <summary>The port's register block: ABAR + 100h + 80h × port (§3.3).</summary>
    public nint Px { get; }

    /// <summary>The port's part of the uncached extension (host address): command list, received FIS, IDENTIFY buffer, command tables (AhciHardware's layout).</summary>
    internal nint Memory { get; }

    /// <summary>The physical address of <see cref="Memory"/> (StorPortGetPhysicalAddress).</summary>
    internal ulong MemoryPhysical { get; }

    /// <summary>The requests in the port's command slots (by slot), under the Interrupt lock.</summary>
    internal SCSI_REQUEST_BLOCK?[] Slots { get; } = new SCSI_REQUEST_BLOCK?[32];

    /// <summary>The slots this driver issued and has not completed (a PxCI bit it set), under the Interrupt lock.</summary>
    internal uint IssuedSlots { get; set; }

    /// <summary>Requests the port runs but could not yet give a slot (all slots busy), under the Interrupt lock.</summary>
    internal Queue<SCSI_REQUEST_BLOCK> WaitingForSlot { get; } = new();

    /// <summary>Commands issued to the HBA and not yet completed.</summary>
    public int InFlight => System.Numerics.BitOperations.PopCount(IssuedSlots);

    /// <summary>The link's interface power state from PxSSTS.IPM (§3.3.10): "Active", "Partial", "Slumber", or "NoLink".</summary>
    public string LinkPower => ((Read(PxSSTS) & PxSSTS_IPM_Mask) >> PxSSTS_IPM_Shift) switch
    {
        1 => "Active",
        2 => "Partial",
        6 => "Slumber",
        _ => "NoLink",
    };

    /// <summary>StorPortReadRegisterUlong of the port register at <paramref name="register"/> (a Px* offset).</summary>
    internal uint Read(int register) => StorPortReadRegisterUlong(AdapterExtension, Px + register);

    /// <summary>StorPortWriteRegisterUlong of the port register at <paramref name="register"/>.</summary>
    internal void Write(int register, uint value) => StorPortWriteRegisterUlong(AdapterExtension, Px + register, value);

    /// <summary>The 10 ms / 20 ms port-start polling timer (S1).</summary>
    public StorPortTimerHandle? StartPortTimer { get; internal set; }

    /// <summary>The LPM Partial-to-Slumber timer (S1b).</summary>
    public StorPortTimerHandle? WorkerTimer { get; internal set; }

    /// <summary>The bus-change retry timer, created lazily from the DPC (S1c).</summary>
    public StorPortTimerHandle? BusChangeTimer { get; internal set; }

    /// <summary>The bus-change DPC.</summary>
    internal STOR_DPC BusChangeDpc { get; } = new();

    /// <summary>Where the start state machine is.</summary>
    public StartPhase Phase { get; internal set; }

    internal int DetCount { get; set; }

    internal int Det1Count { get; set; }

    internal int Det3Count { get; set; }

    internal int FreCount { get; set; }

    internal int BsyDrqCount { get; set; }

    /// <summary>The weighted total of the polling intervals of this attempt, ms; over 60 000 the driver gives up.</summary>
    public long TotalWaitMilliseconds { get; internal set; }

    /// <summary>True while a start attempt runs synchronously outside the timer (the direct start).</summary>
    internal bool DirectStartInProcess { get; set; }

    /// <summary>True until the first timer callback of an attempt has synchronized with the direct start under the Interrupt lock.</summary>
    internal bool FirstCallbackOfAttempt { get; set; }

    /// <summary>True when this start is part of the adapter's one-port-after-another chain (RunNextPort follows).</summary>
    internal bool InStartChain { get; set; }

    /// <summary>The state of the port.</summary>
    public PortOutcome Outcome { get; internal set; } = PortOutcome.Starting;

    /// <summary>Engine time (ns) when the latest start attempt began.</summary>
    public long StartedAttemptAtNanoseconds { get; internal set; }

    /// <summary>Engine time (ns) when the latest start attempt ended (running, empty or failed).</summary>
    public long FinishedAttemptAtNanoseconds { get; internal set; }

    /// <summary>Requests that arrived while the port was not running.</summary>
    internal Queue<SCSI_REQUEST_BLOCK> PendingSrbs { get; } = new();
}
