namespace MiniportTimers.Devices.Nvme;

/// <summary>
/// Command opcodes (NVM Express 1.3, §5 "Admin Command Set", figure 41, and §6 "NVM Command Set", figure 188) and the
/// identifiers the model's admin commands take (Identify CNS, §5.15 figure 106; Feature Identifiers, §5.21.1 figure 128).
/// </summary>
public static class NvmeOpcodes
{
    /// <summary>§5.6 Delete I/O Submission Queue (admin 00h).</summary>
    public const byte DeleteIoSubmissionQueue = 0x00;

    /// <summary>§5.4 Create I/O Submission Queue (admin 01h).</summary>
    public const byte CreateIoSubmissionQueue = 0x01;

    /// <summary>§5.14 Get Log Page (admin 02h): Error Information, SMART / Health Information and Firmware Slot Information.</summary>
    public const byte GetLogPage = 0x02;

    /// <summary>§5.5 Delete I/O Completion Queue (admin 04h).</summary>
    public const byte DeleteIoCompletionQueue = 0x04;

    /// <summary>§5.3 Create I/O Completion Queue (admin 05h).</summary>
    public const byte CreateIoCompletionQueue = 0x05;

    /// <summary>§5.15 Identify (admin 06h).</summary>
    public const byte Identify = 0x06;

    /// <summary>§5.1 Abort (admin 08h).</summary>
    public const byte Abort = 0x08;

    /// <summary>§5.21 Set Features (admin 09h).</summary>
    public const byte SetFeatures = 0x09;

    /// <summary>§5.9 Get Features (admin 0Ah).</summary>
    public const byte GetFeatures = 0x0A;

    /// <summary>§5.2 Asynchronous Event Request (admin 0Ch): held outstanding, as the model reports no events.</summary>
    public const byte AsynchronousEventRequest = 0x0C;

    /// <summary>§6.8 Flush (NVM 00h).</summary>
    public const byte Flush = 0x00;

    /// <summary>§6.15 Write (NVM 01h).</summary>
    public const byte Write = 0x01;

    /// <summary>§6.9 Read (NVM 02h).</summary>
    public const byte Read = 0x02;

    /// <summary>Identify CNS 00h: the Identify Namespace data structure of CDW1.NSID (figure 114).</summary>
    public const byte IdentifyNamespace = 0x00;

    /// <summary>Identify CNS 01h: the Identify Controller data structure (figure 109).</summary>
    public const byte IdentifyController = 0x01;

    /// <summary>Identify CNS 02h: the active namespace IDs above CDW1.NSID, ascending, up to 1,024.</summary>
    public const byte IdentifyActiveNamespaceList = 0x02;

    /// <summary>Feature 07h, Number of Queues (§5.21.1.7): CDW11 NSQR in bits 15:0, NCQR in 31:16, both 0-based.</summary>
    public const byte FeatureNumberOfQueues = 0x07;

    /// <summary>Feature 08h, Interrupt Coalescing (§5.21.1.8): CDW11 THR in bits 7:0, TIME in 15:8 (100 µs units).</summary>
    public const byte FeatureInterruptCoalescing = 0x08;
}
