namespace MiniportTimers.Devices.Pci;

/// <summary>
/// A 1- or 2-byte write to a bank of 32-bit registers (AHCI 1.3.1 §3, NVMe 1.3 §3.1: registers are accessed a dword at
/// a time): the dword it falls in, the bits it writes, and the written value moved into place. The device model
/// supplies the other bytes (as they read now, less its write-1-to-clear bits or the registers whose write is an event)
/// and writes the whole dword. One place for the arithmetic every register-bank device shares.
/// </summary>
/// <param name="DwordOffset">The byte offset of the dword the write falls in (a multiple of 4).</param>
/// <param name="Mask">The bits of that dword the write covers.</param>
/// <param name="Bits">The written value, shifted into <paramref name="Mask"/>.</param>
internal readonly record struct SubDwordWrite(int DwordOffset, uint Mask, uint Bits)
{
    /// <summary>The write of <paramref name="width"/> bytes (1 or 2) of <paramref name="value"/> at byte <paramref name="byteOffset"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is not 1 or 2.</exception>
    public static SubDwordWrite At(int byteOffset, int width, uint value)
    {
        if (width is not (1 or 2))
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "A sub-dword register write is 1 or 2 bytes.");
        }

        var shift = 8 * (byteOffset & 3);
        var mask = (width == 2 ? 0xFFFFu : 0xFFu) << shift;
        return new SubDwordWrite(byteOffset & ~3, mask, (value << shift) & mask);
    }
}
