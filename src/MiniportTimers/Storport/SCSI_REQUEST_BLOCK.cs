namespace MiniportTimers.Storport;

/// <summary>
/// An SRB: one request the host hands to HwStorStartIo. The miniport sets <see cref="SrbStatus"/> and completes it with
/// StorPortNotification(RequestComplete, ...), from StartIo, an interrupt, a DPC or a timer callback.
/// </summary>
/// <remarks>Thread safety: a request belongs to the miniport between StartIo and its completion; the host reads it after.</remarks>
public sealed class SCSI_REQUEST_BLOCK
{
    private int _completed;

    /// <summary>SRB_FUNCTION_* (srb.h).</summary>
    public byte Function { get; init; }

    /// <summary>SRB_STATUS_*; the miniport sets it before completing.</summary>
    public byte SrbStatus { get; set; }

    /// <summary>The bus (for storahci: the port number).</summary>
    public byte PathId { get; init; }

    /// <summary>The target.</summary>
    public byte TargetId { get; init; }

    /// <summary>The logical unit.</summary>
    public byte Lun { get; init; }

    /// <summary>The first CDB byte (operation code) for SRB_FUNCTION_EXECUTE_SCSI; 0x00 is TEST UNIT READY, 0x28 READ(10).</summary>
    public byte CdbOperationCode { get; init; }

    /// <summary>Bytes to transfer.</summary>
    public uint DataTransferLength { get; init; }

    /// <summary>STOR_PNP_ACTION for SRB_FUNCTION_PNP (StorRemoveDevice, ...).</summary>
    public int PnPAction { get; init; }

    /// <summary>Target device power state for SRB_FUNCTION_POWER: 0 = D0 (on), 3 = D3 (off).</summary>
    public int DevicePowerState { get; init; }

    /// <summary>A number the submitter chooses, for tracing.</summary>
    public long Tag { get; init; }

    /// <summary>Miniport-private data that travels with the request (the SRB extension).</summary>
    public object? SrbExtension { get; set; }

    /// <summary>True once the miniport completed the request.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>Where the completion happened (which miniport routine was running), once completed.</summary>
    public MiniportRoutine CompletedIn { get; private set; }

    /// <summary>Marks the request complete. Returns false if it already was (a double completion).</summary>
    internal bool TryComplete(MiniportRoutine routine)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        CompletedIn = routine;
        return true;
    }
}
