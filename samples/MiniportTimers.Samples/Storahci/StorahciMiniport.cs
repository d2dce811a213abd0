using System.Buffers.Binary;
using MiniportTimers.Storport;
using static MiniportTimers.Devices.Ahci.AhciRegisters;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Storahci;

/// <summary>
/// A storahci-style miniport that re-enacts how the Windows AHCI driver uses Storport timers (real-drivers.md S1, S1b,
/// S1c): port start through StartPortTimer, the LPM worker timer, the bus-change retry timer, power-down cancels and
/// removal frees; and the I/O path (HwBuildIo, StartIo, HwInterrupt) on an AHCI HBA. The routines are written against
/// the flat DDI surface, as the C driver is, and reach the HBA only through it: PCI configuration (StorPortGetBusData),
/// ABAR (ConfigInfo AccessRanges, StorPortGetDeviceBase), registers (StorPortRead/WriteRegisterUlong), the uncached
/// extension (StorPortGetUncachedExtension, StorPortGetPhysicalAddress) and scatter-gather lists.
/// </summary>
public static class StorahciMiniport
{
    /// <summary>The PCI class code of an AHCI HBA: mass storage (01h), Serial ATA (06h), AHCI 1.0 (01h).</summary>
    private const uint AhciClassCode = 0x01_06_01;

    /// <summary>The HW_INITIALIZATION_DATA for StorPortInitialize.</summary>
    /// <param name="lpmIntervalMilliseconds">Idle time before Partial-to-Slumber, ms.</param>
    /// <param name="nowNanoseconds">The host engine's clock, for the report's port start and end times.</param>
    public static HW_INITIALIZATION_DATA CreateInitializationData(long lpmIntervalMilliseconds, Func<long> nowNanoseconds) => new()
    {
        DeviceExtensionFactory = () => new AhciAdapterExtension(lpmIntervalMilliseconds, nowNanoseconds),
        HwFindAdapter = HwFindAdapter,
        HwInitialize = HwInitialize,
        HwBuildIo = Io.BuildIo,
        HwStartIo = HwStartIo,
        HwInterrupt = HwInterrupt,
        HwAdapterControl = HwAdapterControl,
        HwUnitControl = HwUnitControl,
    };

    /// <summary>
    /// AhciHwFindAdapter: find the HBA (PCI class 01/06/01, ABAR = BAR5 among the access ranges), map ABAR, read CAP and
    /// PI, take the uncached extension for every port's command list, received FIS and command tables; per port,
    /// initialize StartPortTimer and WorkerTimer (any failure is SP_RETURN_ERROR); then start the ports.
    /// </summary>
    private static uint HwFindAdapter(object deviceExtension, object? hwContext, object? busInformation, string? argumentString, PORT_CONFIGURATION_INFORMATION configInfo, out bool reserved3)
    {
        reserved3 = false;
        var adapter = (AhciAdapterExtension)deviceExtension;
        var pci = new byte[0x30];
        if (StorPortGetBusData(deviceExtension, PCIConfiguration, configInfo.SystemIoBusNumber, configInfo.SlotNumber, pci) < pci.Length
            || (BinaryPrimitives.ReadUInt32LittleEndian(pci.AsSpan(0x08)) >> 8) != AhciClassCode)
        {
            return SP_RETURN_NOT_FOUND;
        }

        var abarAddress = BinaryPrimitives.ReadUInt32LittleEndian(pci.AsSpan(0x24)) & 0xFFFF_FFF0u;
        var abarRange = configInfo.AccessRanges.FirstOrDefault(r => r.RangeInMemory && r.RangeStart == abarAddress);
        if (abarRange.RangeLength == 0)
        {
            return SP_RETURN_BAD_CONFIG;
        }

        adapter.Abar = StorPortGetDeviceBase(deviceExtension, PCIBus, configInfo.SystemIoBusNumber, abarRange.RangeStart, abarRange.RangeLength, inIoSpace: false);
        if (adapter.Abar == 0)
        {
            return SP_RETURN_ERROR;
        }

        // §10.1.2: AHCI mode on (GHC.AE), then what the HBA offers.
        AhciHardware.WriteGlobal(adapter, GHC, AhciHardware.ReadGlobal(adapter, GHC) | GHC_AE);
        adapter.Capabilities = AhciHardware.ReadGlobal(adapter, CAP);
        adapter.PortsImplemented = AhciHardware.ReadGlobal(adapter, PI);
        adapter.CommandSlots = (int)((adapter.Capabilities & CAP_NCS_Mask) >> CAP_NCS_Shift) + 1;
        var portCount = 32 - System.Numerics.BitOperations.LeadingZeroCount(adapter.PortsImplemented);

        configInfo.NumberOfBuses = (byte)portCount;
        configInfo.SynchronizationModel = StorSynchronizeFullDuplex;
        configInfo.Dma64BitAddresses = (adapter.Capabilities & CAP_S64A) != 0;
        configInfo.MaximumTransferLength = 128 * 1024;
        configInfo.NumberOfPhysicalBreaks = AhciHardware.MaxPrds - 1;
        configInfo.AlignmentMask = 1; // PRD data addresses are word aligned (§4.2.3.3)

        adapter.UncachedExtension = StorPortGetUncachedExtension(deviceExtension, configInfo, (uint)(portCount * AhciHardware.PortMemoryLength));
        if (adapter.UncachedExtension == 0)
        {
            return SP_RETURN_ERROR;
        }

        var physical = StorPortGetPhysicalAddress(deviceExtension, null, adapter.UncachedExtension, out var contiguous);
        if (contiguous < (uint)(portCount * AhciHardware.PortMemoryLength))
        {
            return SP_RETURN_ERROR;
        }

        adapter.Ports = [.. Enumerable.Range(0, portCount).Select(i => new AhciChannelExtension(
            adapter,
            i,
            adapter.Abar + PortRegister(i, 0),
            adapter.UncachedExtension + (i * AhciHardware.PortMemoryLength),
            physical + (ulong)(i * AhciHardware.PortMemoryLength)))];

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

    /// <summary>AhciHwInitialize (device IRQL, Interrupt lock; the interrupt is connected by now): interrupts on at the HBA (GHC.IE).</summary>
    private static bool HwInitialize(object deviceExtension)
    {
        var adapter = (AhciAdapterExtension)deviceExtension;
        AhciHardware.WriteGlobal(adapter, GHC, AhciHardware.ReadGlobal(adapter, GHC) | GHC_IE);
        return true;
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

    /// <summary>AhciHwInterrupt (device IRQL, Interrupt lock): per port with its IS.IPS bit, the port's share (<see cref="Io.PortInterrupt"/>); then IS acknowledged.</summary>
    private static bool HwInterrupt(object deviceExtension)
    {
        var adapter = (AhciAdapterExtension)deviceExtension;
        var pending = AhciHardware.ReadGlobal(adapter, IS) & adapter.PortsImplemented;
        if (pending == 0)
        {
            return false; // not ours (a shared line)
        }

        foreach (var port in adapter.Ports)
        {
            if ((pending & (1u << port.PortNumber)) != 0)
            {
                Io.PortInterrupt(deviceExtension, port);
            }
        }

        AhciHardware.WriteGlobal(adapter, IS, pending); // §10.7.2: PxIS first, then IS
        return true;
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

    /// <summary>AhciAdapterRemoval: interrupts off, every port's command list stopped and its requests failed, every timer freed and the handles forgotten.</summary>
    private static void AdapterRemoval(object deviceExtension, AhciAdapterExtension adapter)
    {
        AhciHardware.WriteGlobal(adapter, GHC, AhciHardware.ReadGlobal(adapter, GHC) & ~GHC_IE);
        foreach (var port in adapter.Ports)
        {
            List<SCSI_REQUEST_BLOCK> issued = [];
            AhciHardware.UnderInterruptLock(adapter, () =>
            {
                issued = AhciHardware.StopCommandList(port);
                port.Write(PxIE, 0);
                port.Write(PxCMD, port.Read(PxCMD) & ~(PxCMD_FRE | PxCMD_ICC_Mask)); // no FIS lands in memory Storport is about to free
            });
            foreach (var srb in issued)
            {
                Complete(deviceExtension, srb, SRB_STATUS_NO_DEVICE);
            }

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
