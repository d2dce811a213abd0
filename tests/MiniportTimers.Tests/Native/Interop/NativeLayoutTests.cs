using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using MiniportTimers.Native.Interop;

namespace MiniportTimers.Tests.Native.Interop;

/// <summary>
/// Every C# structure that mirrors a C structure of native/include ([NativeMirror]) has the C structure's size and the
/// C member's offset at each [FieldOffset], as gcc computes them with native/toolchain.mk's flags: a probe is written
/// from the attributes, compiled against the headers and run, and its numbers are compared. The headers stay the one
/// source of the layout; a mirror that drifts fails here.
/// </summary>
public sealed class NativeLayoutTests
{
    private static readonly Assembly Bridge = typeof(NativeMirrorAttribute).Assembly;

    public static TheoryData<string> Mirrors()
    {
        var data = new TheoryData<string>();
        foreach (var type in MirrorTypes())
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Fact]
    public void TheBridgeMirrorsItsStructures_EveryExplicitLayoutStructIsAMirror()
    {
        var unmarked = Bridge.GetTypes()
            .Where(t => t.IsValueType && t.StructLayoutAttribute?.Value == LayoutKind.Explicit && t.GetCustomAttribute<NativeMirrorAttribute>() is null)
            .Select(t => t.Name)
            .ToList();
        Assert.Empty(unmarked);
        Assert.True(MirrorTypes().Count() >= 12);
    }

    [NativeTheory]
    [MemberData(nameof(Mirrors))]
    public void AMirror_HasItsCStructuresSizeAndOffsets(string typeName)
    {
        var type = Bridge.GetType(typeName)!;
        var expected = Probe.Value;
        var mirror = type.GetCustomAttribute<NativeMirrorAttribute>()!;
        if (mirror.SizeOf != string.Empty)
        {
            Assert.Equal(expected[$"sizeof {mirror.SizeOf ?? mirror.CName}"], Marshal.SizeOf(type));
        }

        foreach (var (field, cType, member) in Members(type))
        {
            Assert.True(expected.TryGetValue($"{cType}.{member}", out var offset), $"{type.Name}.{field.Name}: the probe has no {cType}.{member}");
            Assert.Equal((offset, $"{cType}.{member}"), ((int)Marshal.OffsetOf(type, field.Name), $"{cType}.{member}"));
        }
    }

    private static IEnumerable<Type> MirrorTypes() =>
        Bridge.GetTypes().Where(t => t.GetCustomAttribute<NativeMirrorAttribute>() is not null).OrderBy(t => t.Name, StringComparer.Ordinal);

    private static IEnumerable<(FieldInfo Field, string CType, string Member)> Members(Type type)
    {
        var mirror = type.GetCustomAttribute<NativeMirrorAttribute>()!;
        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance).Where(f => f.GetCustomAttribute<FieldOffsetAttribute>() is not null))
        {
            var member = field.GetCustomAttribute<NativeMemberAttribute>();
            yield return (field, member?.CType ?? mirror.CName, member?.CMember ?? field.Name.Replace(">k__BackingField", string.Empty, StringComparison.Ordinal).TrimStart('<'));
        }
    }

    private static readonly Lazy<Dictionary<string, int>> Probe = new(RunProbe);

    /// <summary>Writes, compiles (gcc with the toolchain's flags) and runs a C program printing every size and offset the mirrors use.</summary>
    private static Dictionary<string, int> RunProbe()
    {
        var source = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include <storport.h>\n#include <ndis.h>\nint main(void)\n{\n");
        var lines = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in MirrorTypes())
        {
            var mirror = type.GetCustomAttribute<NativeMirrorAttribute>()!;
            if (mirror.SizeOf != string.Empty)
            {
                var sized = mirror.SizeOf ?? mirror.CName;
                lines.Add($"    printf(\"sizeof {sized} %d\\n\", (int)sizeof({sized}));");
            }

            foreach (var (_, cType, member) in Members(type))
            {
                lines.Add($"    printf(\"{cType}.{member} %d\\n\", (int)offsetof({cType}, {member}));");
            }
        }

        source.AppendJoin('\n', lines.Order(StringComparer.Ordinal)).Append("\n    return 0;\n}\n");
        var folder = Directory.CreateTempSubdirectory("mpt-layout-");
        try
        {
            var c = Path.Combine(folder.FullName, "probe.c");
            var exe = Path.Combine(folder.FullName, "probe");
            File.WriteAllText(c, source.ToString());
            var flags = "-std=gnu11 -fms-extensions -fshort-wchar -mms-bitfields -fno-strict-aliasing -D_AMD64_ -DMPT_EMULATION -DNDIS60_MINIPORT=1 -Wno-multichar -Wno-ignored-attributes";
            Run("gcc", $"{flags} -I{Path.Combine(NativeBuild.NativeFolder, "include")} -o {exe} {c}");
            return Run(exe, string.Empty)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => (Key: l[..l.LastIndexOf(' ')], Value: int.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
                .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {arguments}: exit {process.ExitCode}\n{errors}");
        return output;
    }
}
