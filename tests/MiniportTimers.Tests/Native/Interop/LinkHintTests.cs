namespace MiniportTimers.Tests.Native.Interop;

/// <summary>Issue 21 §2: a driver that calls a routine the bridge lacks fails to link with a pointer to docs/native.md.</summary>
public class LinkHintTests
{
    [NativeFact]
    public void ALinkErrorOnAMissingDdi_PointsToTheRoutineTable()
    {
        var folder = Directory.CreateTempSubdirectory("mpt-link").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "missing.c"), "#include <ndis.h>\nVOID NdisNotInTheBridge(VOID);\nULONG DriverEntry(PVOID a, PVOID b) { NdisNotInTheBridge(); return 0; }\n");
            File.WriteAllText(Path.Combine(folder, "Makefile"), $"include {NativeBuild.NativeFolder}/toolchain.mk\nmissing.so: missing.c\n\t$(call mpt_driver,$@,$<)\n");
            var (exitCode, stderr) = NativeProcess.Run("make", "-s", "-C", folder);
            Assert.NotEqual(0, exitCode);
            Assert.Contains("undefined reference to `NdisNotInTheBridge'", stderr, StringComparison.Ordinal); // the linker's own message stays
            Assert.Contains("MiniportTimers: NdisNotInTheBridge is not provided by the bridge: see docs/native.md", stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(folder, "missing.so")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
