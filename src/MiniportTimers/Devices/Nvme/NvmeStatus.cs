namespace MiniportTimers.Devices.Nvme;

/// <summary>
/// Completion status values (NVM Express 1.3, §4.6.1.2 "Status Field Definition") as the model reports them: a
/// 16-bit value with the Status Code Type in bits 10:8 and the Status Code in bits 7:0 (so <c>0x0101</c> is SCT 1,
/// SC 01h). In a completion queue entry's DW3 the Status Field is bits 31:17: SC in 24:17, SCT in 27:25, M in 30,
/// DNR in 31, with the Phase Tag in bit 16 (<see cref="StatusField"/>).
/// </summary>
public static class NvmeStatus
{
    /// <summary>SCT 0, SC 00h: Successful Completion.</summary>
    public const ushort SuccessfulCompletion = 0x0000;

    /// <summary>SCT 0, SC 01h: Invalid Command Opcode.</summary>
    public const ushort InvalidCommandOpcode = 0x0001;

    /// <summary>SCT 0, SC 02h: Invalid Field in Command.</summary>
    public const ushort InvalidFieldInCommand = 0x0002;

    /// <summary>SCT 0, SC 04h: Data Transfer Error (a PRP the host address map cannot resolve).</summary>
    public const ushort DataTransferError = 0x0004;

    /// <summary>SCT 0, SC 07h: Command Abort Requested (the command an Abort command named).</summary>
    public const ushort CommandAbortRequested = 0x0007;

    /// <summary>SCT 0, SC 08h: Command Aborted due to SQ Deletion.</summary>
    public const ushort CommandAbortedDueToSqDeletion = 0x0008;

    /// <summary>SCT 0, SC 0Bh: Invalid Namespace or Format.</summary>
    public const ushort InvalidNamespaceOrFormat = 0x000B;

    /// <summary>SCT 0, SC 0Ch: Command Sequence Error (Set Features Number of Queues after I/O queues were created).</summary>
    public const ushort CommandSequenceError = 0x000C;

    /// <summary>SCT 0, SC 13h: PRP Offset Invalid.</summary>
    public const ushort PrpOffsetInvalid = 0x0013;

    /// <summary>SCT 0, SC 80h: LBA Out of Range.</summary>
    public const ushort LbaOutOfRange = 0x0080;

    /// <summary>SCT 1, SC 00h: Completion Queue Invalid (Create I/O SQ naming a CQ that does not exist).</summary>
    public const ushort CompletionQueueInvalid = 0x0100;

    /// <summary>SCT 1, SC 01h: Invalid Queue Identifier.</summary>
    public const ushort InvalidQueueIdentifier = 0x0101;

    /// <summary>SCT 1, SC 02h: Invalid Queue Size.</summary>
    public const ushort InvalidQueueSize = 0x0102;

    /// <summary>SCT 1, SC 03h: Abort Command Limit Exceeded.</summary>
    public const ushort AbortCommandLimitExceeded = 0x0103;

    /// <summary>SCT 1, SC 05h: Asynchronous Event Request Limit Exceeded.</summary>
    public const ushort AsynchronousEventRequestLimitExceeded = 0x0105;

    /// <summary>SCT 1, SC 09h: Invalid Log Page.</summary>
    public const ushort InvalidLogPage = 0x0109;

    /// <summary>SCT 1, SC 08h: Invalid Interrupt Vector.</summary>
    public const ushort InvalidInterruptVector = 0x0108;

    /// <summary>SCT 1, SC 0Ch: Invalid Queue Deletion (a CQ still associated with an SQ).</summary>
    public const ushort InvalidQueueDeletion = 0x010C;

    /// <summary>SCT 1, SC 0Dh: Feature Identifier Not Saveable.</summary>
    public const ushort FeatureIdentifierNotSaveable = 0x010D;

    /// <summary>The Status Code Type (bits 10:8 of a status value).</summary>
    /// <param name="status">A status value of this class.</param>
    /// <returns>0 generic, 1 command specific, 2 media and data integrity errors.</returns>
    public static int StatusCodeType(ushort status) => (status >> 8) & 0x7;

    /// <summary>The Status Code (bits 7:0 of a status value).</summary>
    /// <param name="status">A status value of this class.</param>
    /// <returns>The status code within its type.</returns>
    public static byte StatusCode(ushort status) => (byte)(status & 0xFF);

    /// <summary>The status value (SCT and SC) of a completion queue entry's DW3.</summary>
    /// <param name="dword3">The entry's DW3 (bits 31:16 are the Status Field and Phase Tag).</param>
    /// <returns>SCT in bits 10:8, SC in 7:0.</returns>
    public static ushort StatusField(uint dword3) => (ushort)((((dword3 >> 25) & 0x7) << 8) | ((dword3 >> 17) & 0xFF));
}
