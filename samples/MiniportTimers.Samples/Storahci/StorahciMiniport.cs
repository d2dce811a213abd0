using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Storahci;

/// <summary>
/// A storahci-style miniport that re-enacts how the Windows AHCI driver uses Storport timers (real-drivers.md S1, S1b,
/// S1c): port start through StartPortTimer, the LPM worker timer, the bus-change retry timer, power-down cancels and
/// removal frees. The routines are written against the flat DDI surface, as the C driver is.
/// </summary>
public static class StorahciMiniport
{
    /// <summary>The HW_INITIALIZATION_DATA for StorPortInitialize. Each new adapter takes the next HBA from <paramref name="nextHba"/>.</summary>
    /// <param name="nextHba">Supplies the simulated HBA of each new adapter.</param>
    /// <param name="lpmIntervalMilliseconds">Idle time before Partial-to-Slumber, ms.</param>
    public static HW_INITIALIZATION_DATA CreateInitializationData(Func<AhciHba> nextHba, long lpmIntervalMilliseconds) => new()
    {
        DeviceExtensionFactory = () => new AhciAdapterExtension(nextHba(), lpmIntervalMilliseconds),
        HwFindAdapter = HwFindAdapter,
        HwInitialize = _ => true,
        HwStartIo = HwStartIo,
        HwInterrupt = HwInterrupt,
        HwAdapterControl = HwAdapterControl,
        HwUnitControl = HwUnitControl,
    };

    /// <summary>AhciHwFindAdapter: per port, initialize StartPortTimer and WorkerTimer (any failure is SP_RETURN_ERROR), then start the ports.</summary>
    private static uint HwFindAdapter(object deviceExtension, object? hwContext, object? busInformation, string? argumentString, PORT_CONFIGURATION_INFORMATION configInfo, out bool reserved3)
    {
        reserved3 = false;
        var adapter = (AhciAdapterExtension)deviceExtension;
        configInfo.NumberOfBuses = (byte)adapter.Ports.Count;
        configInfo.SynchronizationModel = StorSynchronizeFullDuplex;
        if (!configInfo.DumpMode)
        {
            foreach (var port in adapter.Ports)
            {
                if (StorPortInitializeTimer(deviceExtension, out var start) != STOR_STATUS_SUCCESS || StorPortInitializeTimer(deviceExtension, out var worker) != STOR_STATUS_SUCCESS)
                {
                    return SP_RETURN_ERROR;
                }

                port.StartPortTimer = start;
                port.WorkerTimer = worker;
                StorPortInitializeDpc(deviceExtension, port.BusChangeDpc, BusChange.BusChangeDpcRoutine);
            }
        }

        PortStart.RunAllPorts(deviceExtension, adapter);
        return SP_RETURN_FOUND;
    }

    private static bool HwStartIo(object deviceExtension, SCSI_REQUEST_BLOCK srb)
    {
        var adapter = (AhciAdapterExtension)deviceExtension;
        switch (srb.Function)
        {
            case SRB_FUNCTION_PNP when srb.PnPAction == StorRemoveDevice:
                AdapterRemoval(deviceExtension, adapter);
                Complete(deviceExtension, srb, SRB_STATUS_SUCCESS);
                return true;

            case SRB_FUNCTION_POWER:
                var target = adapter.Ports[srb.PathId];
                if (srb.DevicePowerState == 3)
                {
                    PortStart.PowerDown(deviceExtension, target);
                }
                else if (target.Outcome == PortOutcome.Stopped)
                {
                    PortStart.StartAttempt(deviceExtension, target, inStartChain: false);
                }

                Complete(deviceExtension, srb, SRB_STATUS_SUCCESS);
                return true;

            case SRB_FUNCTION_RESET_BUS:
                // Port reset: a new direct start while the previous attempt's timer may still be pending (BUSY is fine).
                adapter.Counters.Reset();
                PortStart.StartAttempt(deviceExtension, adapter.Ports[srb.PathId], inStartChain: false);
                Complete(deviceExtension, srb, SRB_STATUS_SUCCESS);
                return true;

            case SRB_FUNCTION_EXECUTE_SCSI when srb.PathId < adapter.Ports.Count:
                Io.Submit(deviceExtension, adapter.Ports[srb.PathId], srb);
                return true;

            default:
                Complete(deviceExtension, srb, SRB_STATUS_INVALID_REQUEST);
                return true;
        }
    }

    private static bool HwInterrupt(object deviceExtension)
    {
        var adapter = (AhciAdapterExtension)deviceExtension;
        var claimed = false;
        foreach (var port in adapter.Ports)
        {
            foreach (var srb in port.Device.TakeCompleted())
            {
                Complete(deviceExtension, srb, SRB_STATUS_SUCCESS);
                claimed = true;
            }

            if (port.Device.TakeHotPlug())
            {
                StorPortIssueDpc(deviceExtension, port.BusChangeDpc, port, null);
                claimed = true;
            }
        }

        return claimed;
    }

    private static uint HwAdapterControl(object deviceExtension, SCSI_ADAPTER_CONTROL_TYPE controlType, object? parameters)
    {
        var adapter = (AhciAdapterExtension)deviceExtension;
        switch (controlType)
        {
            case SCSI_ADAPTER_CONTROL_TYPE.ScsiStopAdapter:
                foreach (var port in adapter.Ports.Where(p => p.StartPortTimer is not null))
                {
                    PortStart.PowerDown(deviceExtension, port);
                    StorPortRequestTimer(deviceExtension, port.WorkerTimer, LinkPowerManagement.AhciAutoPartialToSlumber, port, 0, 0);
                }

                return 0;
            case SCSI_ADAPTER_CONTROL_TYPE.ScsiRestartAdapter:
                PortStart.RunAllPorts(deviceExtension, adapter);
                return 0;
            default:
                return 0;
        }
    }

    private static uint HwUnitControl(object deviceExtension, SCSI_UNIT_CONTROL_TYPE controlType, object? parameters)
    {
        if (controlType == SCSI_UNIT_CONTROL_TYPE.ScsiUnitPoFxPowerActive && parameters is STOR_POFX_ACTIVE_CONTEXT active)
        {
            var adapter = (AhciAdapterExtension)deviceExtension;
            LinkPowerManagement.PowerActive(deviceExtension, adapter.Ports[active.PathId], active.Active);
        }

        return 0;
    }

    /// <summary>AhciAdapterRemoval: free every timer and forget the handles.</summary>
    private static void AdapterRemoval(object deviceExtension, AhciAdapterExtension adapter)
    {
        foreach (var port in adapter.Ports)
        {
            PortStart.FailAllIos(deviceExtension, port, SRB_STATUS_NO_DEVICE);
            if (port.StartPortTimer is { } s)
            {
                StorPortFreeTimer(deviceExtension, s);
                port.StartPortTimer = null;
            }

            if (port.WorkerTimer is { } w)
            {
                StorPortFreeTimer(deviceExtension, w);
                port.WorkerTimer = null;
            }

            if (port.BusChangeTimer is { } b)
            {
                StorPortFreeTimer(deviceExtension, b);
                port.BusChangeTimer = null;
            }
        }
    }

    private static void Complete(object deviceExtension, SCSI_REQUEST_BLOCK srb, byte status)
    {
        srb.SrbStatus = status;
        StorPortNotification(RequestComplete, deviceExtension, srb);
    }
}
