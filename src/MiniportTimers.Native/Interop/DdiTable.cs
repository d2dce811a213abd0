using System.Runtime.InteropServices;
using System.Text;

namespace MiniportTimers.Native.Interop;

/// <summary>
/// The process-wide DDI table (native memory, written once, never freed): every loaded driver's shim points at it. Its
/// layout, slot names and version are generated from native/ddi/ddis.json on both sides (MptDdiTable.g.cs,
/// native/shim/mpt_ddi_table.g.h); <see cref="Attach"/> hands it to a driver's shim, which checks it slot by slot by name.
/// </summary>
internal static unsafe class DdiTable
{
    /// <summary>MptSetDdiTable's answer for a size, version or slot count that differ (MPT_DDI_TABLE_MISMATCH).</summary>
    private const uint TableMismatch = 0xFFFF_FFFF;

    private static readonly Lazy<nint> Table = new(() => Build(MptDdiTable.Names, MptDdiTable.CurrentVersion));

    public static MptDdiTable* Address => (MptDdiTable*)Table.Value;

    /// <summary>sizeof(MPT_DDI_TABLE) on this side.</summary>
    public static int Size => sizeof(MptDdiTable);

    /// <summary>
    /// Builds a table whose slot <c>i</c> is named <paramref name="names"/>[i] and points at that routine's entry: the real
    /// table with <see cref="MptDdiTable.Names"/>; a test passes the names in another order to prove a mirror whose slots
    /// are swapped is refused. The memory is never freed (a loaded driver keeps pointing at it).
    /// </summary>
    internal static nint Build(IReadOnlyList<string> names, uint version)
    {
        var t = (MptDdiTable*)NativeMemory.AllocZeroed((nuint)sizeof(MptDdiTable));
        t->Size = (uint)sizeof(MptDdiTable);
        t->Version = version;
        t->SlotCount = MptDdiTable.Slots;
        MptDdiTable.Fill(t);
        var slots = (nint*)&t->SlotNames + 1;
        var filled = new nint[MptDdiTable.Slots];
        for (var i = 0; i < filled.Length; i++)
        {
            filled[i] = slots[i];
        }

        var namePointers = (byte**)NativeMemory.AllocZeroed((nuint)(names.Count * sizeof(nint)));
        for (var i = 0; i < names.Count && i < MptDdiTable.Slots; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(names[i] + "\0");
            var text = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
            bytes.CopyTo(new Span<byte>(text, bytes.Length));
            namePointers[i] = text;
            slots[i] = filled[Array.IndexOf(MptDdiTable.Names, names[i])]; // the routine travels with its name
        }

        t->SlotNames = namePointers;
        return (nint)t;
    }

    /// <summary>Hands the table at <paramref name="tableAddress"/> (0: the process's) to the driver's shim.</summary>
    /// <exception cref="NativeDriverException">The shim was built from another manifest: the message names the first slot that differs.</exception>
    public static void Attach(ShimEntryPoints shim, string path, nint tableAddress = 0)
    {
        var table = tableAddress == 0 ? Address : (MptDdiTable*)tableAddress;
        var status = shim.SetDdiTable(table);
        if (status == 0)
        {
            return;
        }

        const string Rebuild = "rebuild it with this repository's native/ (docs/native.md, \"Adding a DDI\")";
        if (status == TableMismatch || status > MptDdiTable.Slots)
        {
            throw new NativeDriverException($"{path} was built against another bridge: its DDI table is version 0x{shim.ExpectedVersion:X8} with another layout, this host's is 0x{MptDdiTable.CurrentVersion:X8} with {MptDdiTable.Slots} slots ({Rebuild}).");
        }

        var index = (int)status - 1;
        var expected = shim.ExpectedSlotName(index) ?? "?";
        var given = Marshal.PtrToStringUTF8((nint)table->SlotNames[index]) ?? "?";
        throw new NativeDriverException($"{path} was built against another bridge: DDI table slot {index} is {expected} in the driver's shim but {given} in this host ({Rebuild}).");
    }
}
