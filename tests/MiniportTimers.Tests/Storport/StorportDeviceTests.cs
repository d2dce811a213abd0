using System.Buffers.Binary;
using System.Runtime.InteropServices;
using MiniportTimers.Devices.Ahci;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Pci;
using MiniportTimers.Devices.Sata;
using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Storport;
using static MiniportTimers.Devices.Ahci.AhciRegisters;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Storport;

/// <summary>
/// The Storport device path (issue 22, build item 2) on a virtual clock, with the AHCI HBA of the device model as the
/// adapter's device: StorPortGetBusData, AccessRanges and StorPortGetDeviceBase, register access and its bug check,
/// the uncached extension, physical addresses, scatter-gather lists, HwStorBuildIo, the line interrupt into
/// HwStorInterrupt, and the data buffer's mapping.
/// </summary>
public class StorportDeviceTests
{
    [Fact]
    public void GetBusData_ReturnsTheHbasClassCodeAndBar5_AndAccessRangesHoldAbar()
    {
        var pci = new byte[64];
        uint read = 0;
        IReadOnlyList<ACCESS_RANGE> ranges = [];
        using var bed = new DeviceBed { FindAdapter = (ext, config) =>
        {
            read = StorPortGetBusData(ext, PCIConfiguration, config.SystemIoBusNumber, config.SlotNumber, pci);
            ranges = config.AccessRanges;
        } };

        Assert.Equal(AdapterState.Started, bed.Adapter.State); // HwStorFindAdapter has run
        Assert.Equal(64u, read);
        Assert.Equal((0x01, 0x06, 0x01), (pci[0x0B], pci[0x0A], pci[0x09])); // base class, sub-class, programming interface
        Assert.Equal(AhciHbaOptions.DefaultVendorId, BinaryPrimitives.ReadUInt16LittleEndian(pci));
        Assert.Equal(bed.Hbas[0].Options.AbarAddress, BinaryPrimitives.ReadUInt32LittleEndian(pci.AsSpan(0x24)) & 0xFFFF_FFF0u);
        Assert.Equal(new ACCESS_RANGE(bed.Hbas[0].Options.AbarAddress, RegisterSpaceLength, RangeInMemory: true), Assert.Single(ranges));
    }

    [Fact]
    public void GetDeviceBase_ForAbar_ReturnsAViewWhoseDirectReadsEqualReadRegisterUlong()
    {
        using var bed = new DeviceBed();
        var ext = bed.Adapter.DeviceExtension;
        var abar = bed.Abar(0);
        Assert.NotEqual(0, abar);
        Assert.Equal(bed.Hbas[0].Capabilities, StorPortReadRegisterUlong(ext, abar + CAP));
        foreach (var register in new[] { CAP, GHC, PI, VS, PortRegister(0, PxSSTS), PortRegister(0, PxTFD), PortRegister(0, PxSIG) })
        {
            Assert.Equal(StorPortReadRegisterUlong(ext, abar + register), unchecked((uint)Marshal.ReadInt32(abar + register)));
        }

        // A write through the routine is seen by a direct read of the view at once.
        StorPortWriteRegisterUlong(ext, abar + GHC, GHC_AE | GHC_IE);
        Assert.Equal(GHC_AE | GHC_IE, unchecked((uint)Marshal.ReadInt32(abar + GHC)));
        Assert.Equal((ushort)(VS_1_3 >> 16), StorPortReadRegisterUshort(ext, abar + VS + 2));
        Assert.Equal(0, StorPortGetDeviceBase(ext, PCIBus, 0, 0x1000, 16, inIoSpace: false)); // no range of the adapter
    }

    [Fact]
    public void RegisterOutsideAnyRange_BugCheck0x50_IsRecorded_AndOtherAdaptersAreUnaffected()
    {
        using var bed = new DeviceBed(adapters: 2);
        bed.StartIo = (ext, srb) =>
        {
            var base0 = ((BedExtension)ext).Abar;
            var offset = srb.Tag == 1 ? RegisterSpaceLength : CAP; // one byte past ABAR's 8 KiB: no mapped range
            srb.ScsiStatus = (byte)(StorPortReadRegisterUlong(ext, base0 + offset) & 0x1F);
            srb.SrbStatus = SRB_STATUS_SUCCESS;
            StorPortNotification(RequestComplete, ext, srb);
        };

        bed.Created[0].SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_EXECUTE_SCSI, Tag = 1 });
        var report = Assert.Single(bed.Host.BugChecks);
        Assert.Equal(BugCheckCodes.PAGE_FAULT_IN_NONPAGED_AREA, report.BugCheck.Code);
        Assert.Equal((ulong)(bed.Abar(0) + RegisterSpaceLength), report.BugCheck.Parameter1);
        Assert.Equal(AdapterState.Faulted, bed.Created[0].State);

        var other = new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_EXECUTE_SCSI, Tag = 2 };
        Assert.True(bed.Created[1].SubmitRequest(other));
        Assert.Equal(AdapterState.Started, bed.Created[1].State);
        Assert.Equal(SRB_STATUS_SUCCESS, other.SrbStatus);
        Assert.Equal((byte)(bed.Hbas[1].Capabilities & 0x1F), other.ScsiStatus); // CAP.NP read through the other adapter's base
        Assert.Single(bed.Host.BugChecks);
    }

    [Fact]
    public void UncachedExtension_OnlyFromHwFindAdapter_MappedForTheDevice_AndFreedAtRemoval()
    {
        nint fromFind = 0;
        using var bed = new DeviceBed { FindAdapter = (ext, config) => fromFind = StorPortGetUncachedExtension(ext, config, 16 * 1024) };
        var ext = bed.Adapter.DeviceExtension;
        Assert.NotEqual(0, fromFind);
        Assert.Equal(0, fromFind % 4096); // page-aligned
        var physical = StorPortGetPhysicalAddress(ext, null, fromFind + 100, out var contiguous);
        Assert.True(contiguous >= (16 * 1024) - 100);
        Assert.True(bed.Map.TryResolve(physical, 16, out var host));
        Assert.Equal(fromFind + 100, host); // the device reaches the same memory

        nint fromStartIo = -1;
        bed.StartIo = (e, srb) =>
        {
            fromStartIo = StorPortGetUncachedExtension(e, bed.Adapter.ConfigInfo, 4096);
            srb.SrbStatus = SRB_STATUS_SUCCESS;
            StorPortNotification(RequestComplete, e, srb);
        };
        bed.Adapter.SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_EXECUTE_SCSI });
        Assert.Equal(0, fromStartIo);
        Assert.Equal(0, StorPortGetUncachedExtension(ext, bed.Adapter.ConfigInfo, 4096)); // nor from the test thread

        bed.Adapter.Remove();
        Assert.False(bed.Map.TryResolve(physical, 16, out _));
        Assert.Empty(bed.Host.BugChecks);
    }

    [Fact]
    public void GetPhysicalAddress_OfMemoryTheDeviceCannotReach_BugCheck0x50()
    {
        var unmapped = Marshal.AllocHGlobal(64);
        try
        {
            using var bed = new DeviceBed();
            bed.StartIo = (ext, srb) => StorPortGetPhysicalAddress(ext, srb, unmapped, out _);
            bed.Adapter.SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_EXECUTE_SCSI });
            var report = Assert.Single(bed.Host.BugChecks);
            Assert.Equal(BugCheckCodes.PAGE_FAULT_IN_NONPAGED_AREA, report.BugCheck.Code);
            Assert.Equal((ulong)unmapped, report.BugCheck.Parameter1);
            Assert.Contains("StorPortGetPhysicalAddress", report.BugCheck.Message, StringComparison.Ordinal);
        }
        finally
        {
            Marshal.FreeHGlobal(unmapped);
        }
    }

    [Fact]
    public void ScatterGatherList_OfAnSrbsBuffer_ResolvesBackToTheSameBytes_AndIsUnmappedAtCompletion()
    {
        using var bed = new DeviceBed();
        var buffer = new byte[6000];
        new Random(5).NextBytes(buffer);
        var seen = Array.Empty<byte>();
        ulong physical = 0;
        long total = 0;
        bed.StartIo = (ext, srb) =>
        {
            var sgl = StorPortGetScatterGatherList(ext, srb)!;
            physical = sgl[0].PhysicalAddress;
            total = sgl.Sum(e => (long)e.Length);
            Assert.True(bed.Map.TryGetSpan(physical, buffer.Length, out var span));
            seen = span.ToArray();
            span[0] ^= 0xFF; // the device writes: the SRB's buffer changes
            srb.SrbStatus = SRB_STATUS_SUCCESS;
            StorPortNotification(RequestComplete, ext, srb);
        };
        var original = buffer[0];
        var request = new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_EXECUTE_SCSI, DataBuffer = buffer, DataTransferLength = (uint)buffer.Length, SrbFlags = 0x40 };
        bed.Adapter.SubmitRequest(request);

        Assert.True(request.IsCompleted);
        Assert.Equal(buffer.Length, total);
        Assert.Equal((byte)(original ^ 0xFF), buffer[0]);
        seen[0] ^= 0xFF;
        Assert.Equal(buffer, seen);
        Assert.False(bed.Map.TryResolve(physical, 1, out _)); // unmapped at completion: the device can no longer reach it
        Assert.Empty(bed.Host.BugChecks);
    }

    [Fact]
    public void HwBuildIo_RunsBeforeStartIo_AtDispatchWithoutLocks_AndFalseCompletesWithoutStartIo()
    {
        using var bed = new DeviceBed();
        var log = new List<string>();
        bed.BuildIo = (ext, srb) =>
        {
            log.Add($"BuildIo {srb.Tag} {Ke.KeGetCurrentIrql()} {bed.Adapter.IsStartIoLockHeldByCurrentThread} {bed.Adapter.IsInterruptLockHeldByCurrentThread} mapped={StorPortGetScatterGatherList(ext, srb) is not null}");
            if (srb.Tag == 2)
            {
                srb.SrbStatus = SRB_STATUS_INVALID_REQUEST;
                StorPortNotification(RequestComplete, ext, srb);
                return false;
            }

            return true;
        };
        bed.StartIo = (ext, srb) =>
        {
            log.Add($"StartIo {srb.Tag} {Ke.KeGetCurrentIrql()} {bed.Adapter.IsStartIoLockHeldByCurrentThread}");
            srb.SrbStatus = SRB_STATUS_SUCCESS;
            StorPortNotification(RequestComplete, ext, srb);
        };

        var first = new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_EXECUTE_SCSI, Tag = 1, DataBuffer = new byte[512], DataTransferLength = 512 };
        var second = new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_EXECUTE_SCSI, Tag = 2 };
        bed.Adapter.SubmitRequest(first);
        bed.Adapter.SubmitRequest(second);

        Assert.Equal(
            ["BuildIo 1 DISPATCH_LEVEL False False mapped=True", "StartIo 1 DISPATCH_LEVEL True", "BuildIo 2 DISPATCH_LEVEL False False mapped=False"],
            log);
        Assert.Equal(SRB_STATUS_INVALID_REQUEST, second.SrbStatus);
        Assert.Equal(MiniportRoutine.HwBuildIo, second.CompletedIn);
        Assert.Equal(bed.Host.RequestActivity.Submitted, bed.Host.RequestActivity.Completed);
    }

    [Fact]
    public void LineInterrupt_ReachesHwStorInterrupt_AtTheDeviceIrql_HoldingTheInterruptLock()
    {
        using var bed = new DeviceBed();
        var ext = bed.Adapter.DeviceExtension;
        var abar = bed.Abar(0);
        var runs = new List<(KIRQL Irql, bool InterruptLock, bool StartIoLock, uint PortStatus, long At)>();
        bed.Interrupt = e =>
        {
            var pending = StorPortReadRegisterUlong(e, abar + IS);
            if (pending == 0)
            {
                return false;
            }

            var status = StorPortReadRegisterUlong(e, abar + PortRegister(0, PxIS));
            runs.Add((Ke.KeGetCurrentIrql(), bed.Adapter.IsInterruptLockHeldByCurrentThread, bed.Adapter.IsStartIoLockHeldByCurrentThread, status, bed.Engine.NowNanoseconds));
            StorPortWriteRegisterUlong(e, abar + PortRegister(0, PxSERR), uint.MaxValue); // PCS reflects DIAG.X
            StorPortWriteRegisterUlong(e, abar + IS, pending);
            return true;
        };

        // The driver's side: interrupts on for a device plugged into port 0 (PxIE.PCE, GHC.IE).
        StorPortWriteRegisterUlong(ext, abar + PortRegister(0, PxIE), PxIS_PCS);
        StorPortWriteRegisterUlong(ext, abar + GHC, GHC_AE | GHC_IE);
        bed.Engine.AdvanceBy(5 * TimeUnits.NanosecondsPerMillisecond);
        Assert.Empty(runs);

        bed.Hbas[0].Ports[0].Attach(new SataDisk(new SataDiskOptions { LinkUpNanoseconds = TimeUnits.NanosecondsPerMillisecond }));
        bed.Engine.AdvanceBy(0);

        var run = Assert.Single(runs);
        Assert.Equal(bed.Host.Options.InterruptIrql, run.Irql);
        Assert.True(run.InterruptLock);
        Assert.False(run.StartIoLock);
        Assert.NotEqual(0u, run.PortStatus & PxIS_PCS);
        Assert.Equal(5 * TimeUnits.NanosecondsPerMillisecond, run.At);
        Assert.False(bed.Hbas[0].Interrupt.IsAsserted); // acknowledged: the line fell
        Assert.Empty(bed.Host.BugChecks);
    }

    [Fact]
    public void WithHwMSInterruptRoutine_TheDevicesInterrupt_IsMessage0_AtTheDeviceIrql_HoldingTheInterruptLock_NotHwStorInterrupt()
    {
        using var bed = new DeviceBed();
        var messages = new List<(uint MessageId, KIRQL Irql, bool InterruptLock)>();
        var lineCalls = 0;
        bed.Interrupt = _ =>
        {
            lineCalls++;
            return false;
        };
        bed.FindAdapter = (_, config) => config.HwMSInterruptRoutine = (e, messageId) =>
        {
            var abar = ((BedExtension)e).Abar;
            var pending = StorPortReadRegisterUlong(e, abar + IS);
            if (pending == 0)
            {
                return false;
            }

            messages.Add((messageId, Ke.KeGetCurrentIrql(), bed.Adapter.IsInterruptLockHeldByCurrentThread));
            StorPortWriteRegisterUlong(e, abar + PortRegister(0, PxSERR), uint.MaxValue);
            StorPortWriteRegisterUlong(e, abar + IS, pending);
            return true;
        };
        var ext = bed.Adapter.DeviceExtension;
        var abar = bed.Abar(0);
        StorPortWriteRegisterUlong(ext, abar + PortRegister(0, PxIE), PxIS_PCS);
        StorPortWriteRegisterUlong(ext, abar + GHC, GHC_AE | GHC_IE);
        bed.Hbas[0].Ports[0].Attach(new SataDisk(new SataDiskOptions { LinkUpNanoseconds = TimeUnits.NanosecondsPerMillisecond }));
        bed.Engine.AdvanceBy(0);

        var message = Assert.Single(messages);
        Assert.Equal((0u, bed.Host.Options.InterruptIrql, true), message);
        Assert.Equal(0, lineCalls);
        Assert.True(bed.Adapter.MessageSignaledInterruptGranted);
        Assert.Empty(bed.Host.BugChecks);
    }

    /// <summary>The device extension of the bed's miniport: ABAR as mapped in HwStorFindAdapter.</summary>
    private sealed class BedExtension
    {
        public nint Abar { get; set; }
    }

    /// <summary>
    /// A Storport host on a virtual clock whose adapters each get an AHCI HBA of the device model (4 ports, no disks)
    /// and one address map; the miniport maps ABAR in HwStorFindAdapter, the test supplies the rest.
    /// </summary>
    private sealed class DeviceBed : IDisposable
    {
        private readonly int _adapters;
        private bool _started;

        public DeviceBed(int adapters = 1) => _adapters = adapters;

        public VirtualTimerEngine Engine { get; } = new();

        public HostAddressMap Map { get; } = new();

        public List<AhciHba> Hbas => Start()._hbas;

        private readonly List<AhciHba> _hbas = [];

        public List<StorportAdapter> Created => Start()._created;

        private readonly List<StorportAdapter> _created = [];

        public StorportHost Host => Start()._host!;

        public StorportAdapter Adapter => Start().Created[0];

        public Action<object, PORT_CONFIGURATION_INFORMATION>? FindAdapter { get; set; }

        public Func<object, SCSI_REQUEST_BLOCK, bool>? BuildIo { get; set; }

        public Action<object, SCSI_REQUEST_BLOCK>? StartIo { get; set; }

        public Func<object, bool>? Interrupt { get; set; }

        private StorportHost? _host;

        public nint Abar(int adapter) => ((BedExtension)Start().Created[adapter].DeviceExtension).Abar;

        public void Dispose()
        {
            foreach (var adapter in _created)
            {
                adapter.Remove();
            }

            Engine.Dispose();
        }

        private DeviceBed Start()
        {
            if (_started)
            {
                return this;
            }

            _started = true;
            _host = new StorportHost(Engine);
            Assert.Equal(0u, _host.StorPortInitialize(new HW_INITIALIZATION_DATA
            {
                DeviceExtensionFactory = () => new BedExtension(),
                HwFindAdapter = (object ext, object? ctx, object? bus, string? args, PORT_CONFIGURATION_INFORMATION config, out bool again) =>
                {
                    again = false;
                    var abar = config.AccessRanges.Single();
                    ((BedExtension)ext).Abar = StorPortGetDeviceBase(ext, PCIBus, config.SystemIoBusNumber, abar.RangeStart, abar.RangeLength, inIoSpace: false);
                    FindAdapter?.Invoke(ext, config);
                    return SP_RETURN_FOUND;
                },
                HwInitialize = _ => true,
                HwBuildIo = (ext, srb) => BuildIo?.Invoke(ext, srb) ?? true,
                HwStartIo = (ext, srb) =>
                {
                    StartIo?.Invoke(ext, srb);
                    return true;
                },
                HwInterrupt = ext => Interrupt?.Invoke(ext) ?? false,
                HwAdapterControl = (_, _, _) => 0,
            }));
            for (var i = 0; i < _adapters; i++)
            {
                var hba = new AhciHba(Engine, Map, new AhciHbaOptions { AbarAddress = AhciHbaOptions.DefaultAbar - (uint)(i * RegisterSpaceLength) });
                _hbas.Add(hba);
                var adapter = _host.AddAdapter($"hba{i}", hba);
                Assert.Equal(AdapterState.Started, adapter.State);
                _created.Add(adapter);
            }

            return this;
        }
    }
}
