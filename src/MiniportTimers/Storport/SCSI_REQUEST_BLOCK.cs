namespace MiniportTimers.Storport;

/// <summary>
/// An SRB: one request the host hands to HwStorStartIo. The miniport sets <see cref="SrbStatus"/> and completes it with
/// StorPortNotification(RequestComplete, ...), from StartIo, an interrupt, a DPC or a timer callback.
/// </summary>
/// <remarks>Thread safety: a request belongs to the miniport between StartIo and its completion; the host reads it after.</remarks>
public sealed class SCSI_REQUEST_BLOCK
{
    private int _completed;
    private byte _operationCode;
    private byte[]? _cdb;

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

    /// <summary>The first CDB byte (operation code) for SRB_FUNCTION_EXECUTE_SCSI; 0x00 is TEST UNIT READY, 0x28 READ(10). With <see cref="Cdb"/> set, its first byte.</summary>
    public byte CdbOperationCode
    {
        get => _cdb is { Length: > 0 } cdb ? cdb[0] : _operationCode;
        init => _operationCode = value;
    }

    /// <summary>
    /// The whole CDB for SRB_FUNCTION_EXECUTE_SCSI (SPC-4 §4.2), 1 to 16 bytes (SRBEX_DATA_SCSI_CDB16); null when only
    /// <see cref="CdbOperationCode"/> is given (the rest of the CDB reads as zeros).
    /// </summary>
    /// <exception cref="ArgumentException">Longer than 16 bytes, or empty.</exception>
    public byte[]? Cdb
    {
        get => _cdb;
        init
        {
            if (value is { Length: 0 or > 16 })
            {
                throw new ArgumentException("A CDB is 1 to 16 bytes.", nameof(value));
            }

            _cdb = value;
        }
    }

    /// <summary>
    /// Bytes to transfer: the submitter sets the buffer's length; the miniport may lower it to the bytes actually
    /// transferred (an underrun, SRB_STATUS_DATA_OVERRUN) before completing.
    /// </summary>
    public uint DataTransferLength { get; set; }

    /// <summary>
    /// The data buffer (SRB DataBuffer): read into for SRB_FLAGS_DATA_IN, written from for SRB_FLAGS_DATA_OUT. On an
    /// adapter with a device (<see cref="StorportHost.AddAdapter(string?, MiniportTimers.Devices.Pci.IPciDevice?)"/>) the
    /// host pins and maps it in the device's address map from HwStorBuildIo until completion, so a scatter-gather list
    /// or StorPortGetPhysicalAddress can hand it to the device.
    /// </summary>
    public Memory<byte> DataBuffer { get; init; }

    /// <summary>SRB_FLAGS_* (srb.h): SRB_FLAGS_DATA_IN (0x40), SRB_FLAGS_DATA_OUT (0x80), SRB_FLAGS_NO_DATA_TRANSFER (0), ...</summary>
    public uint SrbFlags { get; init; }

    /// <summary>The SCSI status byte the miniport reports (SAM-5 §5.3: 0x00 GOOD, 0x02 CHECK CONDITION), with SRB_STATUS_ERROR.</summary>
    public byte ScsiStatus { get; set; }

    /// <summary>The request's time-out in seconds (SRB TimeOutValue), for the miniport's information.</summary>
    public uint TimeOutValueSeconds { get; init; } = 10;

    /// <summary>
    /// Called once the miniport completed the request (as the completion routine of the IRP behind an SRB runs after
    /// Storport's completion DPC): on the host engine's dispatcher of the adapter's processor
    /// (<see cref="Hosting.HostedAdapter.Processor"/>; the adapter's completion routines run there one at a time, in
    /// completion order), after the miniport routine that completed it returned, with no lock of the host held, so it may
    /// submit the next request. Null for none.
    /// </summary>
    public Action<SCSI_REQUEST_BLOCK>? CompletionRoutine { get; init; }

    /// <summary>The host's mapping of <see cref="DataBuffer"/> while the request is outstanding on an adapter with a device; null otherwise.</summary>
    internal MiniportTimers.Devices.Memory.HostMemoryRange? MappedDataBuffer { get; set; }

    /// <summary>A host-side object that lives as long as the request (the native bridge's SRB); released at completion.</summary>
    internal IDisposable? PortContext { get; set; }

    /// <summary>STOR_PNP_ACTION for SRB_FUNCTION_PNP (StorRemoveDevice, ...).</summary>
    public int PnPAction { get; init; }

    /// <summary>SRB_PNP_FLAGS_* for SRB_FUNCTION_PNP: SRB_PNP_FLAGS_ADAPTER_REQUEST (1) when the request is for the adapter, not a unit.</summary>
    public uint SrbPnPFlags { get; init; }

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
