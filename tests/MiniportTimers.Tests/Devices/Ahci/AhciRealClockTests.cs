using System.Buffers.Binary;
using System.Runtime.InteropServices;
using MiniportTimers.Devices.Ahci;
using MiniportTimers.Devices.Ata;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Sata;
using MiniportTimers.Engine;
using static MiniportTimers.Devices.Ahci.AhciMemoryStructures;
using static MiniportTimers.Devices.Ahci.AhciRegisters;

namespace MiniportTimers.Tests.Devices.Ahci;

/// <summary>
/// The same model on the real clock: the spin-up, the commands and the interrupt deliveries run on the engine's
/// dispatch thread while a test thread plays the driver (its interrupt service routine runs on the dispatcher). Only
/// outcomes are checked; the waits are generous bounds, not timings.
/// </summary>
public class AhciRealClockTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public void RealClock_SpinUpThenCommandsWithLatency_EachCompletesThroughItsInterrupt()
    {
        using var engine = new RealTimeTimerEngine("ahci test");
        var map = new HostAddressMap();
        var hba = new AhciHba(engine, map);
        var disk = new SataDisk(new SataDiskOptions { SpinUpNanoseconds = 2_000_000, CommandLatencyNanoseconds = 200_000 });
        var allocation = Marshal.AllocHGlobal(0x10000 + 4096);
        try
        {
            var control = (allocation + 4095) & ~(nint)4095;
            var controlRange = map.Map(control, 0x10000);
            Assert.True(map.TryGetSpan(controlRange.PhysicalAddress, 0x10000, out var clear));
            clear.Clear();
            var data = new byte[4096];
            var dataRange = map.Map(data);
            using var completed = new SemaphoreSlim(0);
            hba.Interrupt.Connect(() =>
            {
                // The interrupt service routine: acknowledge PxIS, then IS.
                hba.WriteRegister32(PortRegister(0, PxIS), hba.ReadRegister32(PortRegister(0, PxIS)));
                hba.WriteRegister32(IS, 1);
                completed.Release();
            });

            hba.Ports[0].Attach(disk);
            Assert.True(SpinWait.SpinUntil(() => (hba.ReadRegister32(PortRegister(0, PxTFD)) & PxTFD_STS_BSY) == 0, Generous), "the disk never came ready");

            var clb = controlRange.PhysicalAddress;
            var fb = controlRange.PhysicalAddress + 0x400;
            var table = controlRange.PhysicalAddress + 0x1000;
            hba.WriteRegister32(PortRegister(0, PxCLB), (uint)(clb & 0xFFFF_FFFF));
            hba.WriteRegister32(PortRegister(0, PxCLBU), (uint)(clb >> 32));
            hba.WriteRegister32(PortRegister(0, PxFB), (uint)(fb & 0xFFFF_FFFF));
            hba.WriteRegister32(PortRegister(0, PxFBU), (uint)(fb >> 32));
            hba.WriteRegister32(PortRegister(0, PxSERR), 0xFFFF_FFFF);
            hba.WriteRegister32(PortRegister(0, PxIE), PxIS_DHRS | PxIS_TFES);
            hba.WriteRegister32(PortRegister(0, PxCMD), PxCMD_FRE | PxCMD_ST);
            hba.WriteRegister32(GHC, GHC_AE | GHC_IE);

            for (var i = 0; i < 50; i++)
            {
                var write = i % 2 == 0;
                if (write)
                {
                    data.AsSpan().Fill((byte)i);
                }

                Assert.True(map.TryGetSpan(table, 0x90, out var tableBytes));
                tableBytes.Clear();
                SataFis.WriteRegisterH2D(tableBytes, write ? AtaCommands.WRITE_DMA_EXT : AtaCommands.READ_DMA_EXT, 0, (ulong)(i / 2 * 8), 8);
                BinaryPrimitives.WriteUInt32LittleEndian(tableBytes[(PRDT + PrdDBA)..], (uint)(dataRange.PhysicalAddress & 0xFFFF_FFFF));
                BinaryPrimitives.WriteUInt32LittleEndian(tableBytes[(PRDT + PrdDBAU)..], (uint)(dataRange.PhysicalAddress >> 32));
                BinaryPrimitives.WriteUInt32LittleEndian(tableBytes[(PRDT + PrdDW3)..], 4096 - 1);
                Assert.True(map.TryGetSpan(clb, CommandHeaderLength, out var header));
                header.Clear();
                BinaryPrimitives.WriteUInt32LittleEndian(header, 5u | (write ? HeaderW : 0) | (1u << HeaderPRDTL_Shift));
                BinaryPrimitives.WriteUInt32LittleEndian(header[HeaderCTBA..], (uint)(table & 0xFFFF_FFFF));
                BinaryPrimitives.WriteUInt32LittleEndian(header[HeaderCTBAU..], (uint)(table >> 32));

                hba.WriteRegister32(PortRegister(0, PxCI), 1);
                Assert.True(completed.Wait(Generous), $"command {i} raised no interrupt");
                Assert.Equal(0u, hba.ReadRegister32(PortRegister(0, PxCI)));
                Assert.Equal(0x50u, hba.ReadRegister32(PortRegister(0, PxTFD)));
                if (!write)
                {
                    Assert.All(data, b => Assert.Equal((byte)(i - 1), b)); // what the previous command wrote there
                }
            }

            Assert.Equal(25L, disk.GetCommandCount(AtaCommands.WRITE_DMA_EXT));
            Assert.Equal(50L, hba.Interrupt.Deliveries);
        }
        finally
        {
            engine.Dispose();
            lock (hba.Gate)
            {
                // A device event already running finishes before the memory it may touch is freed.
            }

            Marshal.FreeHGlobal(allocation);
        }
    }
}
