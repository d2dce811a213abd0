using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Storahci;

/// <summary>
/// storahci's bus-change retry (real-drivers.md S1c): the DPC notifies Storport; if refused, a 100 ms timer,
/// initialized right here at DISPATCH_LEVEL, retries; on success the timer is freed at run time.
/// </summary>
internal static class BusChange
{
    /// <summary>The retry interval, µs.</summary>
    public const ulong RetryMicroseconds = 100_000;

    /// <summary>The bus-change DPC routine (PortBusChangeProcess).</summary>
    public static void BusChangeDpcRoutine(STOR_DPC dpc, object hwDeviceExtension, object? systemArgument1, object? systemArgument2) =>
        Process(hwDeviceExtension, (AhciChannelExtension)systemArgument1!);

    /// <summary>AhciBusChangeTimerCallback: retry unless the port stopped.</summary>
    public static void AhciBusChangeTimerCallback(object hwDeviceExtension, object? context)
    {
        var port = (AhciChannelExtension)context!;
        if (port.Outcome == PortOutcome.Stopped)
        {
            return;
        }

        Process(hwDeviceExtension, port);
    }

    private static void Process(object hwDeviceExtension, AhciChannelExtension port)
    {
        var counters = port.AdapterExtension.Counters;
        if (StorPortStateChangeDetected(hwDeviceExtension, STATE_CHANGE_BUS, (byte)port.PortNumber, 0) == STOR_STATUS_SUCCESS)
        {
            counters.BusChangeAccepted();
            if (port.BusChangeTimer is { } done)
            {
                StorPortFreeTimer(hwDeviceExtension, done); // freed at run time; a later failure initializes a new one
                port.BusChangeTimer = null;
            }

            return;
        }

        counters.BusChangeRetry();
        if (port.BusChangeTimer is null)
        {
            StorPortInitializeTimer(hwDeviceExtension, out var timer); // result not checked, as in the driver
            port.BusChangeTimer = timer;
            counters.BusChangeTimerInit();
        }

        StorPortRequestTimer(hwDeviceExtension, port.BusChangeTimer, AhciBusChangeTimerCallback, port, RetryMicroseconds, 0);
    }
}
