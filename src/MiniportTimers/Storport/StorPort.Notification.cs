using MiniportTimers.Kernel;

namespace MiniportTimers.Storport;

public static partial class StorPort
{
    /// <summary>
    /// StorPortNotification(RequestTimerCall, HwDeviceExtension, HwStorTimer, MiniportTimerValue): requests the
    /// adapter's single legacy timer (nf-storport-storportnotification). A new request replaces a pending one, whatever
    /// its routine (decision A4); 0 µs or a null routine cancels (A18).
    /// </summary>
    /// <param name="notificationType">Must be <see cref="SCSI_NOTIFICATION_TYPE.RequestTimerCall"/>.</param>
    /// <param name="hwDeviceExtension">The adapter's device extension; an unknown one is ignored (the routine is VOID).</param>
    /// <param name="hwStorTimer">The HwStorTimer routine.</param>
    /// <param name="miniportTimerValueMicroseconds">Relative delay in µs; 0 cancels.</param>
    /// <remarks>
    /// IRQL: any, including HwStorInterrupt at the device IRQL: the request is recorded at once and applied when the
    /// thread drops to DISPATCH_LEVEL, the delay counting from then (A11, refined by issue 10). HwStorTimer runs at DISPATCH_LEVEL holding the StartIo lock (half duplex:
    /// also the Interrupt lock). Thread-safe.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="notificationType"/> is not RequestTimerCall.</exception>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E, P1 = STATUS_ACCESS_VIOLATION) for an extension no host created (a removed adapter's request is ignored).</exception>
    public static void StorPortNotification(SCSI_NOTIFICATION_TYPE notificationType, object? hwDeviceExtension, HW_TIMER? hwStorTimer, uint miniportTimerValueMicroseconds)
    {
        if (notificationType != SCSI_NOTIFICATION_TYPE.RequestTimerCall)
        {
            throw new ArgumentException("This overload takes RequestTimerCall.", nameof(notificationType));
        }

        // One read of the thread frame for both the adapter (inside a routine, the routine's) and the IRQL.
        var frame = ThreadFrame.Current;
        var adapter = AdapterRegistry.Require(hwDeviceExtension, "StorPortNotification(RequestTimerCall)", frame);
        if (adapter.IsLive)
        {
            adapter.LegacyTimer.Request(hwStorTimer, miniportTimerValueMicroseconds, frame.Irql);
        }
    }

    /// <summary>
    /// StorPortNotification(RequestComplete, HwDeviceExtension, Srb): the miniport completes <paramref name="srb"/>
    /// (nf-storport-storportnotification). Legal from StartIo, interrupts, DPCs and timer callbacks; the host records
    /// which. A second completion of one request is a verifier finding.
    /// </summary>
    /// <param name="notificationType">Must be <see cref="SCSI_NOTIFICATION_TYPE.RequestComplete"/>.</param>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <param name="srb">The request, with SrbStatus set.</param>
    /// <remarks>IRQL: &lt;= device IRQL. Thread-safe.</remarks>
    /// <exception cref="ArgumentException"><paramref name="notificationType"/> is not RequestComplete.</exception>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E, P1 = STATUS_ACCESS_VIOLATION) for an extension no host created.</exception>
    public static void StorPortNotification(SCSI_NOTIFICATION_TYPE notificationType, object? hwDeviceExtension, SCSI_REQUEST_BLOCK srb)
    {
        if (notificationType != SCSI_NOTIFICATION_TYPE.RequestComplete)
        {
            throw new ArgumentException("This overload takes RequestComplete.", nameof(notificationType));
        }

        ArgumentNullException.ThrowIfNull(srb);
        AdapterRegistry.Require(hwDeviceExtension, "StorPortNotification(RequestComplete)").CompleteRequest(srb);
    }

    /// <summary>StorPortNotification(NextRequest, HwDeviceExtension): accepted and ignored, as Storport does.</summary>
    /// <param name="notificationType">Must be <see cref="SCSI_NOTIFICATION_TYPE.NextRequest"/>.</param>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <exception cref="ArgumentException"><paramref name="notificationType"/> is not NextRequest.</exception>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E, P1 = STATUS_ACCESS_VIOLATION) for an extension no host created.</exception>
    public static void StorPortNotification(SCSI_NOTIFICATION_TYPE notificationType, object? hwDeviceExtension)
    {
        if (notificationType != SCSI_NOTIFICATION_TYPE.NextRequest)
        {
            throw new ArgumentException("This overload takes NextRequest.", nameof(notificationType));
        }

        _ = AdapterRegistry.Require(hwDeviceExtension, "StorPortNotification(NextRequest)");
    }
}
