using System.Runtime.InteropServices;
using MiniportTimers.Storport;
using static MiniportTimers.Devices.Ahci.AhciMemoryStructures;
using static MiniportTimers.Devices.Ahci.AhciRegisters;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Storahci;

/// <summary>
/// What storahci does to the HBA's registers and to its uncached extension (Serial ATA AHCI 1.3.1 section numbers):
/// the per-port memory layout, programming a port (§10.1.2), stopping its command list (§10.3.2), COMRESET (§10.4.2),
/// and the interrupt enables. Every register access is StorPortReadRegisterUlong / StorPortWriteRegisterUlong on the
/// ABAR mapping; every physical address comes from StorPortGetPhysicalAddress.
/// </summary>
internal static class AhciHardware
{
    /// <summary>Command list (§4.2.2): 32 headers of 32 bytes, 1 KiB aligned.</summary>
    public const int CommandListOffset = 0x0000;

    /// <summary>Received FIS area (§4.2.1): 256 bytes, 256-byte aligned.</summary>
    public const int ReceivedFisOffset = 0x0400;

    /// <summary>The port's IDENTIFY DEVICE data (512 bytes), read for INQUIRY and READ CAPACITY.</summary>
    public const int IdentifyOffset = 0x0500;

    /// <summary>The first command table (§4.2.3): one per slot, 128-byte aligned.</summary>
    public const int CommandTablesOffset = 0x0800;

    /// <summary>Bytes per command table: the command FIS, ATAPI command and reserved area (80h), and <see cref="MaxPrds"/> PRDs.</summary>
    public const int CommandTableStride = 0x100;

    /// <summary>PRDT entries per command table.</summary>
    public const int MaxPrds = (CommandTableStride - PRDT) / PrdLength;

    /// <summary>One port's share of the uncached extension.</summary>
    public const int PortMemoryLength = CommandTablesOffset + (32 * CommandTableStride);

    /// <summary>The PxIE bits storahci enables while a port runs (§3.3.6): completions, errors and link changes.</summary>
    public const uint RunningInterrupts = PxIS_DHRS | PxIS_PSS | PxIS_DPS | PxIS_TFES | PxIS_HBFS | PxIS_HBDS | PxIS_IFS | PxIS_INFS | PxIS_OFS | PxIS_PCS | PxIS_PRCS;

    /// <summary>The PxIE bits left on while a port does not run (empty, failed): link changes, so a hot plug is noticed.</summary>
    public const uint HotPlugInterrupts = PxIS_PCS | PxIS_PRCS;

    /// <summary>PxIS bits after which the command list has stopped (§6.1-6.2): the failed slot stays issued until ST is cleared.</summary>
    public const uint ErrorInterrupts = PxIS_TFES | PxIS_HBFS | PxIS_HBDS | PxIS_IFS | PxIS_INFS | PxIS_OFS;

    /// <summary>A global HBA register (§3.1) by StorPortReadRegisterUlong.</summary>
    public static uint ReadGlobal(AhciAdapterExtension adapter, int register) => StorPortReadRegisterUlong(adapter, adapter.Abar + register);

    /// <summary>A global HBA register (§3.1) by StorPortWriteRegisterUlong.</summary>
    public static void WriteGlobal(AhciAdapterExtension adapter, int register, uint value) => StorPortWriteRegisterUlong(adapter, adapter.Abar + register, value);

    /// <summary>
    /// §10.1.2 port initialization (the command list already stopped): FIS receive off (FRE, then FR), PxCLB/PxFB pointed at the port's memory,
    /// FIS receive enabled (FRE), PxSERR and PxIS cleared, interrupts off while the start state machine runs.
    /// </summary>
    public static void ProgramPort(AhciChannelExtension port)
    {
        var clb = port.MemoryPhysical + CommandListOffset;
        var fb = port.MemoryPhysical + ReceivedFisOffset;
        port.Write(PxIE, 0);
        var command = port.Read(PxCMD);
        if ((command & PxCMD_FRE) != 0)
        {
            port.Write(PxCMD, command & ~(PxCMD_FRE | PxCMD_ICC_Mask)); // FR clears; PxFB may change only while FR is 0
        }

        port.Write(PxCLB, unchecked((uint)clb));
        port.Write(PxCLBU, (uint)(clb >> 32));
        port.Write(PxFB, unchecked((uint)fb));
        port.Write(PxFBU, (uint)(fb >> 32));
        port.Write(PxSERR, uint.MaxValue);
        port.Write(PxIS, uint.MaxValue);
    }

    /// <summary>
    /// §10.3.2: clears PxCMD.ST (the HBA clears CR, PxCI and PxSACT) and takes back every request this driver had issued,
    /// in slot order. Call holding the Interrupt lock.
    /// </summary>
    public static List<SCSI_REQUEST_BLOCK> StopCommandList(AhciChannelExtension port)
    {
        var command = port.Read(PxCMD);
        if ((command & PxCMD_ST) != 0)
        {
            port.Write(PxCMD, command & ~(PxCMD_ST | PxCMD_ICC_Mask));
        }

        var taken = new List<SCSI_REQUEST_BLOCK>();
        for (var slot = 0; slot < port.Slots.Length; slot++)
        {
            if (port.Slots[slot] is { } srb)
            {
                taken.Add(srb);
                port.Slots[slot] = null;
            }
        }

        port.IssuedSlots = 0;
        taken.AddRange(port.WaitingForSlot);
        port.WaitingForSlot.Clear();
        return taken;
    }

    /// <summary>
    /// AhciCOMRESET (§10.4.2): the command list stopped, PxSCTL.DET = 1 for at least 1 ms (a stall, as storahci does),
    /// then DET = 0; PxSERR cleared. The device answers with COMINIT and the link comes up again.
    /// </summary>
    public static void ComReset(AhciChannelExtension port)
    {
        var control = port.Read(PxSCTL) & ~PxSCTL_DET_Mask;
        port.Write(PxSCTL, control | 1);
        StorPortStallExecution(1_000);
        port.Write(PxSCTL, control);
        port.Write(PxSERR, uint.MaxValue);
    }

    /// <summary>The attempt ended: PxSERR and PxIS cleared, then the interrupts for the port's new state enabled (all while it runs, link changes otherwise).</summary>
    public static void EnableInterrupts(AhciChannelExtension port, bool running)
    {
        port.Write(PxSERR, uint.MaxValue);
        port.Write(PxIS, uint.MaxValue);
        port.Write(PxIE, running ? RunningInterrupts : HotPlugInterrupts);
    }

    /// <summary>Copies <paramref name="bytes"/> into the uncached extension at <paramref name="address"/>.</summary>
    public static void WriteMemory(nint address, byte[] bytes, int length) => Marshal.Copy(bytes, 0, address, length);

    /// <summary>Copies <paramref name="length"/> bytes of the uncached extension at <paramref name="address"/>.</summary>
    public static byte[] ReadMemory(nint address, int length)
    {
        var bytes = new byte[length];
        Marshal.Copy(address, bytes, 0, length);
        return bytes;
    }

    /// <summary>Runs <paramref name="body"/> holding the adapter's Interrupt lock (StorPortAcquireSpinLock), as storahci does around its slot bookkeeping.</summary>
    public static void UnderInterruptLock(AhciAdapterExtension adapter, Action body)
    {
        var handle = default(STOR_LOCK_HANDLE);
        StorPortAcquireSpinLock(adapter, InterruptLock, null, ref handle);
        try
        {
            body();
        }
        finally
        {
            StorPortReleaseSpinLock(adapter, ref handle);
        }
    }
}
