using MiniportTimers.Devices.Interrupts;
using MiniportTimers.Devices.Memory;

namespace MiniportTimers.Devices.Pci;

/// <summary>
/// A device model on the emulated PCI bus, as a port driver (Storport, NDIS) hands it to a miniport: its configuration
/// space (GetBusData, NdisReadPciSlotInformation), its BARs as the miniport's access ranges (HwStorFindAdapter's
/// ConfigInfo->AccessRanges, NdisMQueryAdapterResources), register and port access by BAR and offset, its INTx line,
/// and the host address map through which it resolves every physical address a driver gives it (DMA).
/// </summary>
/// <remarks>
/// <para>One binding for every stack: <see cref="AdapterHardware"/> turns these into the addresses a
/// miniport sees (a mapped device base, a port number) and back; Storport and NDIS only name the routines.</para>
/// <para>Thread safety: implementations are thread-safe; <see cref="ReadBar"/> and <see cref="WriteBar"/> may be called
/// from any thread at any IRQL, and call no host code (the interrupt is delivered later, on the engine's dispatcher).</para>
/// </remarks>
public interface IPciDevice
{
    /// <summary>The function's 256-byte configuration space (header type 0).</summary>
    PciConfigurationSpace PciConfiguration { get; }

    /// <summary>The function's INTx line; the host connects its interrupt service routine to it.</summary>
    LineInterrupt Interrupt { get; }

    /// <summary>The host address map the device resolves physical addresses through; the host maps DMA memory (uncached extension, data buffers, shared memory) into it.</summary>
    HostAddressMap AddressMap { get; }

    /// <summary>The implemented BARs, in BAR order.</summary>
    IReadOnlyList<PciBar> Bars { get; }

    /// <summary>Reads <paramref name="width"/> bytes at <paramref name="offset"/> in BAR <paramref name="barIndex"/>, with the register's read side effects.</summary>
    /// <param name="barIndex">One of <see cref="Bars"/>' indexes.</param>
    /// <param name="offset">The byte offset within the BAR, aligned to <paramref name="width"/>.</param>
    /// <param name="width">1, 2 or 4 bytes.</param>
    /// <returns>The value read, zero-extended (an unimplemented register reads as the specification says, usually 0).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The BAR is not implemented, the offset is outside it or misaligned, or the width is not 1, 2 or 4.</exception>
    uint ReadBar(int barIndex, long offset, int width);

    /// <summary>Writes the low <paramref name="width"/> bytes of <paramref name="value"/> at <paramref name="offset"/> in BAR <paramref name="barIndex"/>, with the register's side effects.</summary>
    /// <param name="barIndex">One of <see cref="Bars"/>' indexes.</param>
    /// <param name="offset">The byte offset within the BAR, aligned to <paramref name="width"/>.</param>
    /// <param name="width">1, 2 or 4 bytes.</param>
    /// <param name="value">The value written.</param>
    /// <exception cref="ArgumentOutOfRangeException">The BAR is not implemented, the offset is outside it or misaligned, or the width is not 1, 2 or 4.</exception>
    void WriteBar(int barIndex, long offset, int width, uint value);
}
