using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using MiniportTimers.Devices.Ata;
using MiniportTimers.Storport;
using static MiniportTimers.Devices.Ahci.AhciMemoryStructures;
using static MiniportTimers.Devices.Ahci.AhciRegisters;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Storahci;

/// <summary>
/// The I/O path on the HBA: HwBuildIo translates the CDB into an ATA command and the SRB's scatter-gather list into PRD
/// entries (no lock); StartIo decides per port and issues the command into a free slot (command table, command header,
/// PxCI, under the Interrupt lock); HwStorInterrupt completes the slots whose PxCI bit the HBA cleared.
/// </summary>
internal static class Io
{
    /// <summary>SCSI operation code of TEST UNIT READY: no data, answered by the driver itself once the port runs.</summary>
    public const byte TestUnitReady = 0x00;

    /// <summary>INQUIRY (SPC-4): answered from IDENTIFY DEVICE.</summary>
    public const byte Inquiry = 0x12;

    /// <summary>READ CAPACITY(10) (SBC-3): answered from IDENTIFY DEVICE words 100-103.</summary>
    public const byte ReadCapacity10 = 0x25;

    /// <summary>READ(10): READ DMA EXT.</summary>
    public const byte Read10 = 0x28;

    /// <summary>WRITE(10): WRITE DMA EXT.</summary>
    public const byte Write10 = 0x2A;

    /// <summary>SYNCHRONIZE CACHE(10): FLUSH CACHE EXT.</summary>
    public const byte SynchronizeCache10 = 0x35;

    /// <summary>SRB_FLAGS_DATA_IN (srb.h).</summary>
    public const uint SRB_FLAGS_DATA_IN = StorPort.SRB_FLAGS_DATA_IN;

    /// <summary>SRB_FLAGS_DATA_OUT (srb.h).</summary>
    public const uint SRB_FLAGS_DATA_OUT = StorPort.SRB_FLAGS_DATA_OUT;

    /// <summary>The logical sector size storahci assumes for these disks (IDENTIFY word 106 says one 512-byte sector).</summary>
    public const int SectorSize = 512;

    /// <summary>The largest byte count of one PRD entry (§4.2.3.3: DBC is 22 bits, 4 MiB).</summary>
    private const int MaxPrdBytes = 4 * 1024 * 1024;

    /// <summary>HwStorBuildIo (DISPATCH_LEVEL, no lock): the ATA command and PRDs into the SRB extension; false completes the request here.</summary>
    public static bool BuildIo(object hwDeviceExtension, SCSI_REQUEST_BLOCK srb)
    {
        var adapter = (AhciAdapterExtension)hwDeviceExtension;
        if (srb.Function != SRB_FUNCTION_EXECUTE_SCSI)
        {
            return true;
        }

        if (srb.PathId >= adapter.Ports.Count)
        {
            return Fail(hwDeviceExtension, srb, SRB_STATUS_INVALID_REQUEST);
        }

        var cdb = srb.Cdb ?? [srb.CdbOperationCode];
        switch (srb.CdbOperationCode)
        {
            case TestUnitReady:
                srb.SrbExtension = null;
                return true;

            case Read10 or Write10 when cdb.Length >= 10:
                var lba = BinaryPrimitives.ReadUInt32BigEndian(cdb.AsSpan(2));
                var blocks = BinaryPrimitives.ReadUInt16BigEndian(cdb.AsSpan(7));
                var write = srb.CdbOperationCode == Write10;
                if (blocks == 0)
                {
                    srb.DataTransferLength = 0;
                    return Fail(hwDeviceExtension, srb, SRB_STATUS_SUCCESS); // SBC-3: a transfer length of 0 moves nothing
                }

                var bytes = blocks * SectorSize;
                if (srb.DataTransferLength < bytes || (srb.SrbFlags & (write ? SRB_FLAGS_DATA_OUT : SRB_FLAGS_DATA_IN)) == 0
                    || StorPortGetScatterGatherList(hwDeviceExtension, srb) is not { Count: > 0 } sgl || !TryBuildPrds(sgl, bytes, out var prds))
                {
                    return Fail(hwDeviceExtension, srb, SRB_STATUS_INVALID_REQUEST);
                }

                srb.SrbExtension = new AhciSrbExtension(write ? AtaCommands.WRITE_DMA_EXT : AtaCommands.READ_DMA_EXT, lba, blocks, write, prds, AhciSrbKind.ReadWrite);
                return true;

            case SynchronizeCache10:
                srb.SrbExtension = new AhciSrbExtension(AtaCommands.FLUSH_CACHE_EXT, 0, 0, false, [], AhciSrbKind.NoData);
                return true;

            case Inquiry or ReadCapacity10:
                // The data comes from IDENTIFY DEVICE into the port's buffer in the uncached extension (one PRD), translated at completion.
                var port = adapter.Ports[srb.PathId];
                srb.SrbExtension = new AhciSrbExtension(AtaCommands.IDENTIFY_DEVICE, 0, 1, false,
                    [new Prd(port.MemoryPhysical + AhciHardware.IdentifyOffset, SectorSize)],
                    srb.CdbOperationCode == Inquiry ? AhciSrbKind.Inquiry : AhciSrbKind.ReadCapacity);
                return true;

            default:
                return Fail(hwDeviceExtension, srb, SRB_STATUS_INVALID_REQUEST);
        }
    }

    /// <summary>A request for a port: run it, hold it until the port starts, or fail it.</summary>
    public static void Submit(object hwDeviceExtension, AhciChannelExtension port, SCSI_REQUEST_BLOCK srb)
    {
        switch (port.Outcome)
        {
            case PortOutcome.Running:
                Start(hwDeviceExtension, port, srb);
                break;
            case PortOutcome.Starting:
            case PortOutcome.Stopped:
                port.PendingSrbs.Enqueue(srb);
                break;
            default:
                srb.SrbStatus = SRB_STATUS_NO_DEVICE;
                StorPortNotification(RequestComplete, hwDeviceExtension, srb);
                break;
        }
    }

    /// <summary>Issue to the HBA under the Interrupt lock, or answer TEST UNIT READY at once (which, from ActivateQueue, is inside the timer callback).</summary>
    public static void Start(object hwDeviceExtension, AhciChannelExtension port, SCSI_REQUEST_BLOCK srb)
    {
        if (srb.SrbExtension is not AhciSrbExtension)
        {
            srb.SrbStatus = SRB_STATUS_SUCCESS; // TEST UNIT READY on a running port
            StorPortNotification(RequestComplete, hwDeviceExtension, srb);
            return;
        }

        AhciHardware.UnderInterruptLock(port.AdapterExtension, () => IssueLocked(port, srb));
    }

    /// <summary>
    /// Puts <paramref name="srb"/> into the lowest free slot (§5.5.1): the command table (Register H2D FIS, PRDT), the
    /// command header (CFL 5, W, PRDTL, CTBA), then PxCI. With every slot busy it waits for one. Holding the Interrupt lock.
    /// </summary>
    public static void IssueLocked(AhciChannelExtension port, SCSI_REQUEST_BLOCK srb)
    {
        var adapter = port.AdapterExtension;
        var slotMask = adapter.CommandSlots == 32 ? uint.MaxValue : (1u << adapter.CommandSlots) - 1;
        var free = ~port.IssuedSlots & ~port.Read(PxCI) & slotMask;
        if (free == 0)
        {
            port.WaitingForSlot.Enqueue(srb);
            return;
        }

        var slot = BitOperations.TrailingZeroCount(free);
        var command = (AhciSrbExtension)srb.SrbExtension!;
        var tableOffset = AhciHardware.CommandTablesOffset + (slot * AhciHardware.CommandTableStride);
        var table = new byte[PRDT + (command.Prds.Count * PrdLength)];
        WriteRegisterH2D(table.AsSpan(CFIS), command);
        for (var i = 0; i < command.Prds.Count; i++)
        {
            var entry = table.AsSpan(PRDT + (i * PrdLength), PrdLength);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[PrdDBA..], unchecked((uint)command.Prds[i].Address));
            BinaryPrimitives.WriteUInt32LittleEndian(entry[PrdDBAU..], (uint)(command.Prds[i].Address >> 32));
            BinaryPrimitives.WriteUInt32LittleEndian(entry[PrdDW3..], (uint)(command.Prds[i].Length - 1) | (i == command.Prds.Count - 1 ? PrdI : 0));
        }

        AhciHardware.WriteMemory(port.Memory + tableOffset, table, table.Length);
        var header = new byte[CommandHeaderLength];
        var tableAddress = port.MemoryPhysical + (ulong)tableOffset;
        BinaryPrimitives.WriteUInt32LittleEndian(header, 5u | (command.Write ? HeaderW : 0) | ((uint)command.Prds.Count << HeaderPRDTL_Shift));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(HeaderCTBA), unchecked((uint)tableAddress));
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(HeaderCTBAU), (uint)(tableAddress >> 32));
        AhciHardware.WriteMemory(port.Memory + AhciHardware.CommandListOffset + (slot * CommandHeaderLength), header, header.Length);

        port.Slots[slot] = srb;
        port.IssuedSlots |= 1u << slot;
        port.Write(PxCI, 1u << slot);
    }

    /// <summary>
    /// HwStorInterrupt's share for one port (device IRQL, Interrupt lock): acknowledges PxIS, hands link changes to the
    /// bus-change DPC, recovers from a stopped command list (§6.2.2.1: the failed slot completes with an error, the
    /// others are issued again after ST cycles), and completes every slot the HBA cleared in PxCI.
    /// </summary>
    public static void PortInterrupt(object hwDeviceExtension, AhciChannelExtension port)
    {
        var status = port.Read(PxIS);
        port.Write(PxIS, status);
        if ((status & (PxIS_PCS | PxIS_PRCS)) != 0)
        {
            port.Write(PxSERR, uint.MaxValue); // PCS and PRCS reflect DIAG.X and DIAG.N: cleared there
            StorPortIssueDpc(hwDeviceExtension, port.BusChangeDpc, port, null);
        }

        if ((status & AhciHardware.ErrorInterrupts) != 0 && port.IssuedSlots != 0)
        {
            var failed = (int)((port.Read(PxCMD) & PxCMD_CCS_Mask) >> PxCMD_CCS_Shift);
            var taskFile = port.Read(PxTFD);
            if (port.Slots[failed] is { } bad && (port.Read(PxCI) & (1u << failed)) != 0)
            {
                port.Slots[failed] = null;
                port.IssuedSlots &= ~(1u << failed);
                bad.ScsiStatus = (taskFile & PxTFD_STS_ERR) != 0 ? (byte)0x02 : (byte)0x00; // CHECK CONDITION for a device error
                Complete(hwDeviceExtension, bad, SRB_STATUS_ERROR);
            }

            // Complete what finished before the error, then restart the command list and issue the rest again.
            CompleteCleared(hwDeviceExtension, port);
            var again = AhciHardware.StopCommandList(port);
            port.Write(PxCMD, port.Read(PxCMD) | PxCMD_ST);
            foreach (var srb in again)
            {
                IssueLocked(port, srb);
            }

            return;
        }

        CompleteCleared(hwDeviceExtension, port);
        while (port.WaitingForSlot.Count > 0 && port.InFlight < port.AdapterExtension.CommandSlots)
        {
            IssueLocked(port, port.WaitingForSlot.Dequeue());
        }
    }

    /// <summary>Completes, in slot order, every slot this driver issued whose PxCI bit the HBA has cleared.</summary>
    private static void CompleteCleared(object hwDeviceExtension, AhciChannelExtension port)
    {
        var done = port.IssuedSlots & ~port.Read(PxCI);
        while (done != 0)
        {
            var slot = BitOperations.TrailingZeroCount(done);
            done &= done - 1;
            var srb = port.Slots[slot]!;
            port.Slots[slot] = null;
            port.IssuedSlots &= ~(1u << slot);
            Finish(hwDeviceExtension, port, srb);
        }
    }

    /// <summary>A successful command: INQUIRY and READ CAPACITY are translated from the IDENTIFY data; the rest completes as is.</summary>
    private static void Finish(object hwDeviceExtension, AhciChannelExtension port, SCSI_REQUEST_BLOCK srb)
    {
        var command = (AhciSrbExtension)srb.SrbExtension!;
        if (command.Kind is AhciSrbKind.Inquiry or AhciSrbKind.ReadCapacity)
        {
            var identify = AhciHardware.ReadMemory(port.Memory + AhciHardware.IdentifyOffset, SectorSize);
            var answer = command.Kind == AhciSrbKind.Inquiry ? InquiryData(identify) : ReadCapacityData(identify);
            var length = Math.Min(answer.Length, Math.Min(srb.DataBuffer.Length, (int)srb.DataTransferLength));
            answer.AsSpan(0, length).CopyTo(srb.DataBuffer.Span);
            srb.DataTransferLength = (uint)length;
        }

        Complete(hwDeviceExtension, srb, SRB_STATUS_SUCCESS);
    }

    /// <summary>Standard INQUIRY data (SPC-4 §6.4.2, 36 bytes) of an ATA disk, as the SCSI/ATA Translation spells it: vendor "ATA", product and revision from IDENTIFY.</summary>
    internal static byte[] InquiryData(ReadOnlySpan<byte> identify)
    {
        var data = new byte[36];
        data[2] = 0x05; // SPC-3
        data[3] = 0x02; // response data format 2
        data[4] = 31;   // additional length
        Encoding.ASCII.GetBytes("ATA     ").CopyTo(data, 8);
        Encoding.ASCII.GetBytes(IdentifyString(identify, 27, 20).PadRight(16)[..16]).CopyTo(data, 16);
        Encoding.ASCII.GetBytes(IdentifyString(identify, 23, 4).PadRight(4)[..4]).CopyTo(data, 32);
        return data;
    }

    /// <summary>READ CAPACITY(10) data (SBC-3 §5.15.2): the last LBA (FFFFFFFFh when it does not fit) and the block length, big-endian.</summary>
    internal static byte[] ReadCapacityData(ReadOnlySpan<byte> identify)
    {
        var sectors = BinaryPrimitives.ReadUInt64LittleEndian(identify[(100 * 2)..]) & 0xFFFF_FFFF_FFFF;
        var data = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(data, sectors - 1 > uint.MaxValue ? uint.MaxValue : (uint)(sectors - 1));
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), SectorSize);
        return data;
    }

    /// <summary>An ATA string of <paramref name="words"/> words from word <paramref name="firstWord"/>: the first character of each pair is in the high byte.</summary>
    private static string IdentifyString(ReadOnlySpan<byte> identify, int firstWord, int words)
    {
        var chars = new char[words * 2];
        for (var i = 0; i < words; i++)
        {
            chars[2 * i] = (char)identify[((firstWord + i) * 2) + 1];
            chars[(2 * i) + 1] = (char)identify[(firstWord + i) * 2];
        }

        return new string(chars).Trim();
    }

    /// <summary>Register H2D FIS (SATA 3.x §10.5.5, 20 bytes): C = 1, the command, 48-bit LBA, count, Device 40h (LBA mode).</summary>
    private static void WriteRegisterH2D(Span<byte> fis, AhciSrbExtension command)
    {
        unchecked
        {
            fis[0] = 0x27;
            fis[1] = 0x80;
            fis[2] = command.Command;
            fis[4] = (byte)command.Lba;
            fis[5] = (byte)(command.Lba >> 8);
            fis[6] = (byte)(command.Lba >> 16);
            fis[7] = 0x40;
            fis[8] = (byte)(command.Lba >> 24);
            fis[9] = (byte)(command.Lba >> 32);
            fis[10] = (byte)(command.Lba >> 40);
            fis[12] = (byte)command.Count;
            fis[13] = (byte)(command.Count >> 8);
        }
    }

    /// <summary>The scatter-gather list as PRD entries of at most 4 MiB, even byte counts, covering exactly <paramref name="bytes"/>.</summary>
    private static bool TryBuildPrds(IReadOnlyList<STOR_SCATTER_GATHER_ELEMENT> sgl, int bytes, out List<Prd> prds)
    {
        prds = [];
        var left = bytes;
        foreach (var element in sgl)
        {
            var address = element.PhysicalAddress;
            var length = (int)Math.Min(element.Length, (uint)left);
            while (length > 0)
            {
                var piece = Math.Min(length, MaxPrdBytes);
                if ((address & 1) != 0 || (piece & 1) != 0 || prds.Count == AhciHardware.MaxPrds)
                {
                    return false;
                }

                prds.Add(new Prd(address, piece));
                address += (ulong)piece;
                length -= piece;
                left -= piece;
            }

            if (left == 0)
            {
                break;
            }
        }

        return left == 0;
    }

    private static bool Fail(object hwDeviceExtension, SCSI_REQUEST_BLOCK srb, byte status)
    {
        Complete(hwDeviceExtension, srb, status);
        return false;
    }

    private static void Complete(object hwDeviceExtension, SCSI_REQUEST_BLOCK srb, byte status)
    {
        srb.SrbStatus = status;
        StorPortNotification(RequestComplete, hwDeviceExtension, srb);
    }
}

/// <summary>What a request becomes on the HBA.</summary>
internal enum AhciSrbKind
{
    /// <summary>READ/WRITE DMA EXT from the SRB's buffer.</summary>
    ReadWrite,

    /// <summary>A command without data (FLUSH CACHE EXT).</summary>
    NoData,

    /// <summary>IDENTIFY DEVICE answering INQUIRY.</summary>
    Inquiry,

    /// <summary>IDENTIFY DEVICE answering READ CAPACITY(10).</summary>
    ReadCapacity,
}

/// <summary>One PRD entry: a physical address and a byte count.</summary>
internal readonly record struct Prd(ulong Address, int Length);

/// <summary>storahci's SRB extension, reduced: the ATA command HwBuildIo made of the request and its PRDs.</summary>
internal sealed record AhciSrbExtension(byte Command, ulong Lba, ushort Count, bool Write, IReadOnlyList<Prd> Prds, AhciSrbKind Kind);
