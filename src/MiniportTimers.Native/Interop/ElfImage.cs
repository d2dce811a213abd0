using System.Buffers.Binary;
using System.Text;

namespace MiniportTimers.Native.Interop;

/// <summary>
/// What the loader would see of a shared object, read from its file without mapping it: the ELF header, every program
/// header and section checked to lie within the file (a truncated .so mapped by dlopen dies with SIGBUS), the dynamic
/// symbols (defined and undefined), the static symbol table's defined names when it is there, and the libraries it
/// needs (DT_NEEDED, DT_RUNPATH, DT_RPATH). <see cref="Read"/> reports the first thing wrong instead of throwing.
/// </summary>
internal sealed class ElfImage
{
    /// <summary>EM_X86_64.</summary>
    public const ushort MachineX86_64 = 62;

    private const int HeaderSize = 64;
    private const int ProgramHeaderSize = 56;
    private const int SectionHeaderSize = 64;
    private const int SymbolSize = 24;
    private const ushort TypeSharedObject = 3; // ET_DYN
    private const uint SectionSymbolTable = 2; // SHT_SYMTAB
    private const uint SectionStrings = 3; // SHT_STRTAB
    private const uint SectionDynamic = 6; // SHT_DYNAMIC
    private const uint SectionNoBits = 8; // SHT_NOBITS: occupies no file space
    private const uint SectionDynamicSymbols = 11; // SHT_DYNSYM
    private const long TagNeeded = 1; // DT_NEEDED
    private const long TagRPath = 15; // DT_RPATH
    private const long TagRunPath = 29; // DT_RUNPATH
    private const byte BindingWeak = 2; // STB_WEAK
    private const byte BindingLocal = 0; // STB_LOCAL
    private const byte VisibilityDefault = 0; // STV_DEFAULT
    private const byte VisibilityProtected = 3; // STV_PROTECTED

    private ElfImage(HashSet<string> exports, List<string> undefined, HashSet<string>? defined, List<string> needed, List<string> searchPaths)
    {
        Exports = exports;
        Undefined = undefined;
        StaticDefinitions = defined;
        Needed = needed;
        SearchPaths = searchPaths;
    }

    /// <summary>The dynamic symbols other objects can bind to: defined, global or weak, default or protected visibility.</summary>
    public IReadOnlySet<string> Exports { get; }

    /// <summary>The dynamic symbols the object needs from elsewhere (undefined, not weak: a weak one may stay unresolved), in table order, each once.</summary>
    public IReadOnlyList<string> Undefined { get; }

    /// <summary>Every name the static symbol table (.symtab) defines, hidden ones included; null when the file is stripped.</summary>
    public IReadOnlySet<string>? StaticDefinitions { get; }

    /// <summary>The libraries it names as DT_NEEDED, in order.</summary>
    public IReadOnlyList<string> Needed { get; }

    /// <summary>Its DT_RUNPATH (else DT_RPATH) folders, in order, as written ($ORIGIN unexpanded).</summary>
    public IReadOnlyList<string> SearchPaths { get; }

    /// <summary>
    /// Reads the shared object at <paramref name="path"/>. Null with <paramref name="problem"/> (a sentence without the
    /// path, e.g. "truncated: ...") when it cannot be read, or is not a complete 64-bit little-endian ELF shared object
    /// for x86-64.
    /// </summary>
    public static ElfImage? Read(string path, out string? problem)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            problem = $"cannot be read: {ex.Message}";
            return null;
        }

        return Parse(bytes, out problem);
    }

    /// <summary>Parses an image held in memory (<see cref="Read"/> without the file).</summary>
    public static ElfImage? Parse(byte[] elf, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(elf);
        problem = Identity(elf);
        if (problem is not null)
        {
            return null;
        }

        var length = (ulong)elf.LongLength;
        var phoff = U64(elf, 0x20);
        var shoff = U64(elf, 0x28);
        var phentsize = U16(elf, 0x36);
        var phnum = U16(elf, 0x38);
        var shentsize = U16(elf, 0x3A);
        ulong shnum = U16(elf, 0x3C);
        if ((phnum > 0 && phentsize != ProgramHeaderSize) || (shoff != 0 && shentsize != SectionHeaderSize))
        {
            problem = $"damaged: its ELF header gives entry sizes of {phentsize} and {shentsize} bytes (x86-64 uses {ProgramHeaderSize} and {SectionHeaderSize})";
            return null;
        }

        if (Beyond(phoff, (ulong)phnum * ProgramHeaderSize, length) is { } phEnd)
        {
            problem = Truncated(length, $"its program header table ends at byte {phEnd:N0}");
            return null;
        }

        for (var i = 0; i < phnum; i++)
        {
            var at = (int)phoff + (i * ProgramHeaderSize);
            var offset = U64(elf, at + 0x08);
            var fileSize = U64(elf, at + 0x20);
            if (fileSize > 0 && Beyond(offset, fileSize, length) is { } end)
            {
                problem = Truncated(length, $"its segment {i} ({SegmentName(U32(elf, at))}) ends at byte {end:N0}");
                return null;
            }
        }

        if (shoff == 0)
        {
            problem = "has no section headers, so its symbols cannot be checked (was it stripped with sstrip? build it with native/toolchain.mk)";
            return null;
        }

        if (Beyond(shoff, SectionHeaderSize, length) is { } firstEnd)
        {
            problem = Truncated(length, $"its section header table ends at byte {firstEnd:N0}");
            return null;
        }

        if (shnum == 0)
        {
            shnum = U64(elf, (int)shoff + 0x20); // more than 65,279 sections: the count is in section 0's sh_size
        }

        if (Beyond(shoff, shnum * SectionHeaderSize, length) is { } shEnd)
        {
            problem = Truncated(length, $"its section header table ends at byte {shEnd:N0}");
            return null;
        }

        var sections = new Section[(int)shnum];
        for (var i = 0; i < sections.Length; i++)
        {
            var at = (int)shoff + (i * SectionHeaderSize);
            sections[i] = new Section(U32(elf, at + 0x04), U64(elf, at + 0x18), U64(elf, at + 0x20), U32(elf, at + 0x28));
            if (sections[i].Type != SectionNoBits && sections[i].Size > 0 && Beyond(sections[i].Offset, sections[i].Size, length) is { } end)
            {
                problem = Truncated(length, $"its section {i} ends at byte {end:N0}");
                return null;
            }
        }

        var dynamicSymbols = Array.FindIndex(sections, s => s.Type == SectionDynamicSymbols);
        if (dynamicSymbols < 0)
        {
            problem = "has no dynamic symbol table: it is not a shared library (build it with native/toolchain.mk)";
            return null;
        }

        var exports = new HashSet<string>(StringComparer.Ordinal);
        var undefined = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        problem = ReadSymbols(elf, sections, dynamicSymbols, (name, defined, binding, visibility) =>
        {
            if (defined && binding != BindingLocal && visibility is VisibilityDefault or VisibilityProtected)
            {
                exports.Add(name);
            }
            else if (!defined && binding != BindingWeak && binding != BindingLocal && seen.Add(name))
            {
                undefined.Add(name);
            }
        });
        if (problem is not null)
        {
            return null;
        }

        HashSet<string>? staticDefinitions = null;
        var symbolTable = Array.FindIndex(sections, s => s.Type == SectionSymbolTable);
        if (symbolTable >= 0)
        {
            staticDefinitions = new HashSet<string>(StringComparer.Ordinal);
            problem = ReadSymbols(elf, sections, symbolTable, (name, defined, _, _) =>
            {
                if (defined)
                {
                    staticDefinitions.Add(name);
                }
            });
            if (problem is not null)
            {
                return null;
            }
        }

        var needed = new List<string>();
        var runPath = new List<string>();
        var rPath = new List<string>();
        var dynamic = Array.FindIndex(sections, s => s.Type == SectionDynamic);
        if (dynamic >= 0)
        {
            var d = sections[dynamic];
            if (StringTable(sections, d.Link) is not { } strings)
            {
                problem = "damaged: its dynamic section links to no string table";
                return null;
            }

            for (var at = d.Offset; at + 16 <= d.Offset + d.Size; at += 16)
            {
                var tag = (long)U64(elf, (int)at);
                if (tag == 0)
                {
                    break;
                }

                if (tag is TagNeeded or TagRunPath or TagRPath)
                {
                    if (CString(elf, strings, U64(elf, (int)at + 8)) is not { } text)
                    {
                        problem = "damaged: a dynamic entry names a string outside its string table";
                        return null;
                    }

                    if (tag == TagNeeded)
                    {
                        needed.Add(text);
                    }
                    else
                    {
                        (tag == TagRunPath ? runPath : rPath).AddRange(text.Split(':', StringSplitOptions.RemoveEmptyEntries));
                    }
                }
            }
        }

        return new ElfImage(exports, undefined, staticDefinitions, needed, runPath.Count > 0 ? runPath : rPath);
    }

    /// <summary>The ELF name of machine number <paramref name="machine"/> (e_machine), as readelf prints it.</summary>
    public static string MachineName(ushort machine) => machine switch
    {
        2 => "SPARC",
        3 => "Intel 80386 (32-bit x86)",
        8 => "MIPS",
        20 => "PowerPC",
        21 => "PowerPC64",
        22 => "IBM S/390",
        40 => "ARM (32-bit)",
        43 => "SPARC V9",
        50 => "IA-64",
        62 => "x86-64",
        183 => "AArch64",
        243 => "RISC-V",
        258 => "LoongArch",
        _ => $"machine {machine}",
    };

    /// <summary>The header checks that need only the first 64 bytes: magic, class, byte order, machine, type.</summary>
    private static string? Identity(byte[] elf)
    {
        if (elf.Length < 4 || elf[0] != 0x7F || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            return elf.Length == 0 ? "is empty (0 bytes): not a shared library" : "is not an ELF file: not a shared library built with native/toolchain.mk";
        }

        if (elf.Length < HeaderSize)
        {
            return Truncated((ulong)elf.Length, $"its ELF header needs {HeaderSize} bytes");
        }

        if (elf[4] != 2)
        {
            return $"is a 32-bit ELF file ({MachineName(U16(elf, 0x12))}): the host loads 64-bit x86-64 drivers (build it with native/toolchain.mk, without -m32)";
        }

        if (elf[5] != 1)
        {
            return $"is a big-endian ELF file ({MachineName(BinaryPrimitives.ReadUInt16BigEndian(elf.AsSpan(0x12)))}): the host loads x86-64 drivers";
        }

        var machine = U16(elf, 0x12);
        if (machine != MachineX86_64)
        {
            return $"is built for {MachineName(machine)} (ELF machine {machine}), not x86-64: build it on x86-64 with native/toolchain.mk";
        }

        var type = U16(elf, 0x10);
        return type == TypeSharedObject ? null
            : $"is an ELF {(type == 1 ? "relocatable object (.o)" : type == 2 ? "executable" : $"file of type {type}")}, not a shared library (link it with -shared: native/toolchain.mk)";
    }

    /// <summary>Calls <paramref name="visit"/> for every named symbol of symbol-table section <paramref name="index"/>; a problem when it is damaged.</summary>
    private static string? ReadSymbols(byte[] elf, Section[] sections, int index, Action<string, bool, byte, byte> visit)
    {
        var table = sections[index];
        if (StringTable(sections, table.Link) is not { } strings)
        {
            return $"damaged: its symbol table (section {index}) links to no string table";
        }

        for (var at = table.Offset + SymbolSize; at + SymbolSize <= table.Offset + table.Size; at += SymbolSize) // entry 0 is the null symbol
        {
            var entry = (int)at;
            var nameOffset = U32(elf, entry);
            if (nameOffset == 0)
            {
                continue;
            }

            if (CString(elf, strings, nameOffset) is not { } name)
            {
                return $"damaged: a symbol of section {index} names a string outside its string table";
            }

            var info = elf[entry + 4];
            var visibility = (byte)(elf[entry + 5] & 0x3);
            var sectionIndex = U16(elf, entry + 6);
            visit(name, sectionIndex != 0, (byte)(info >> 4), visibility);
        }

        return null;
    }

    private static Section? StringTable(Section[] sections, uint link) =>
        link < sections.Length && sections[link].Type == SectionStrings ? sections[link] : null;

    /// <summary>The NUL-terminated string at <paramref name="offset"/> of <paramref name="strings"/>, or null when it does not end inside it.</summary>
    private static string? CString(byte[] elf, Section strings, ulong offset)
    {
        if (offset >= strings.Size)
        {
            return null;
        }

        var start = (int)(strings.Offset + offset);
        var end = Array.IndexOf(elf, (byte)0, start, (int)(strings.Size - offset));
        return end < 0 ? null : Encoding.UTF8.GetString(elf, start, end - start);
    }

    /// <summary>Where [<paramref name="offset"/>, +<paramref name="size"/>) ends when that is past <paramref name="length"/> (or overflows), else null.</summary>
    private static ulong? Beyond(ulong offset, ulong size, ulong length) =>
        offset > length || size > length - offset ? (offset > ulong.MaxValue - size ? ulong.MaxValue : offset + size) : null;

    private static string Truncated(ulong length, string what) =>
        $"is truncated or damaged: the file has {length:N0} bytes, but {what} (copy or build it again)";

    private static string SegmentName(uint type) => type switch
    {
        1 => "PT_LOAD",
        2 => "PT_DYNAMIC",
        3 => "PT_INTERP",
        4 => "PT_NOTE",
        6 => "PT_PHDR",
        7 => "PT_TLS",
        0x6474E550 => "PT_GNU_EH_FRAME",
        _ => $"type 0x{type:X}",
    };

    private static ushort U16(byte[] elf, int at) => BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(at));

    private static uint U32(byte[] elf, int at) => BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(at));

    private static ulong U64(byte[] elf, int at) => BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(at));

    private readonly record struct Section(uint Type, ulong Offset, ulong Size, uint Link);
}
