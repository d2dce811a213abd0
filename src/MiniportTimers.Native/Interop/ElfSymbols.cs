using System.Buffers.Binary;

namespace MiniportTimers.Native.Interop;

/// <summary>
/// The function symbols of a driver .so, read from its ELF symbol table (.symtab, else .dynsym), so reports name a C
/// callback as its source does ("AhciPortTimerCallback") although drivers are built with hidden visibility, where
/// dladdr finds no name. Offsets are relative to the object's load base.
/// </summary>
internal sealed class ElfSymbols
{
    private const uint SectionSymbolTable = 2;
    private const uint SectionDynamicSymbols = 11;
    private const byte SymbolTypeFunction = 2;

    private readonly ulong[] _starts;
    private readonly ulong[] _ends;
    private readonly string[] _names;
    private readonly HashSet<string> _all;

    private ElfSymbols(ulong[] starts, ulong[] ends, string[] names, HashSet<string>? all = null) =>
        (_starts, _ends, _names, _all) = (starts, ends, names, all ?? []);

    /// <summary>True when any symbol (function or data) of this name is in the table.</summary>
    public bool Defines(string name) => _all.Contains(name);

    /// <summary>Reads <paramref name="path"/>; an unreadable or non-ELF64 file gives an empty table.</summary>
    public static ElfSymbols Read(string path)
    {
        try
        {
            return Parse(File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return new ElfSymbols([], [], []);
        }
    }

    /// <summary>The function containing <paramref name="offset"/> (from the load base), or null.</summary>
    public string? NameAt(ulong offset)
    {
        var i = Array.BinarySearch(_starts, offset);
        i = i >= 0 ? i : ~i - 1;
        return i >= 0 && offset < Math.Max(_ends[i], _starts[i] + 1) ? _names[i] : null;
    }

    private static ElfSymbols Parse(byte[] elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7F || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2)
        {
            return new ElfSymbols([], [], []);
        }

        var sectionOffset = (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x28));
        var sectionSize = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3A));
        var sectionCount = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x3C));
        (int Offset, int Size, int Link)? table = null;
        for (var pass = 0; pass < 2 && table is null; pass++)
        {
            var wanted = pass == 0 ? SectionSymbolTable : SectionDynamicSymbols;
            for (var s = 0; s < sectionCount; s++)
            {
                var header = elf.AsSpan(sectionOffset + (s * sectionSize), sectionSize);
                if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) == wanted)
                {
                    table = ((int)BinaryPrimitives.ReadUInt64LittleEndian(header[0x18..]), (int)BinaryPrimitives.ReadUInt64LittleEndian(header[0x20..]), (int)BinaryPrimitives.ReadUInt32LittleEndian(header[0x28..]));
                    break;
                }
            }
        }

        if (table is not { } symbols)
        {
            return new ElfSymbols([], [], []);
        }

        var strings = elf.AsSpan(sectionOffset + (symbols.Link * sectionSize), sectionSize);
        var stringsOffset = (int)BinaryPrimitives.ReadUInt64LittleEndian(strings[0x18..]);
        var found = new List<(ulong Start, ulong End, string Name)>();
        var all = new HashSet<string>(StringComparer.Ordinal);
        for (var at = symbols.Offset; at + 24 <= symbols.Offset + symbols.Size; at += 24)
        {
            var entry = elf.AsSpan(at, 24);
            var nameOffset = stringsOffset + (int)BinaryPrimitives.ReadUInt32LittleEndian(entry);
            var end = Array.IndexOf(elf, (byte)0, nameOffset);
            if (end <= nameOffset)
            {
                continue;
            }

            var name = System.Text.Encoding.UTF8.GetString(elf, nameOffset, end - nameOffset);
            all.Add(name);
            var value = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]);
            if ((entry[4] & 0xF) == SymbolTypeFunction && value != 0)
            {
                found.Add((value, value + BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]), name));
            }
        }

        found.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        return new ElfSymbols([.. found.Select(f => f.Start)], [.. found.Select(f => f.End)], [.. found.Select(f => f.Name)], all);
    }
}
