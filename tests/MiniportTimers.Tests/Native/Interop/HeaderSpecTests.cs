namespace MiniportTimers.Tests.Native.Interop;

/// <summary>
/// ata.h and scsi.h against the specifications themselves (docs/native.md, "Building your driver"): native/tests/
/// spec_layouts.c writes fields of IDENTIFY_DEVICE_DATA (ACS-4's word and bit numbers), the CDBs, the sense and
/// inquiry data and the caching mode page (SPC-4, SBC-3, SAT-3) and checks where the bytes land, and runs the
/// REVERSE_* macros. The ABI check compares the same headers with mingw-w64's; this is the second reference, and the
/// one CI runs without mingw-w64 installed.
/// </summary>
public class HeaderSpecTests
{
    [NativeFact]
    public void AtaAndScsiStructures_PutEveryCheckedFieldWhereTheSpecificationsDo()
    {
        var folder = Directory.CreateTempSubdirectory("mpt-spec").FullName;
        try
        {
            var (buildExit, buildOutput) = NativeProcess.Run("make", "-s", "-C", NativeBuild.NativeFolder, $"OUT={folder}", Path.Combine(folder, "spec_layouts"));
            Assert.True(buildExit == 0, "spec_layouts.c does not build:\n" + buildOutput);

            var (exit, output) = NativeProcess.Run(Path.Combine(folder, "spec_layouts"));
            Assert.True(exit == 0, "spec_layouts found fields away from where the specifications put them:\n" + output);
            var passed = System.Text.RegularExpressions.Regex.Match(output, @"spec_layouts: (\d+) checks passed");
            Assert.True(passed.Success, output);
            Assert.True(int.Parse(passed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) >= 50, output); // every check ran
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
