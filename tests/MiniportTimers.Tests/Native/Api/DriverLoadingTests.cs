using System.Diagnostics;
using MiniportTimers.Cli.Shell;
using MiniportTimers.Engine;
using MiniportTimers.Native;
using MiniportTimers.Native.Api;
using MiniportTimers.Native.Ndis;
using MiniportTimers.Native.Storport;
using MiniportTimers.Ndis;
using MiniportTimers.Storport;

namespace MiniportTimers.Tests.Native.Api;

/// <summary>
/// Issue 21 §2: loading never takes the process down. Each kind of broken driver, built here at test time, is one
/// <see cref="NativeDriverException"/> naming the file and the reason from the .NET API, exit code 2 with one message
/// and nothing on stdout from <c>run --driver</c>, and the status DriverEntry returned from the C API's session. Before
/// the fix a truncated .so ended the test process with SIGBUS, a driver without DriverEntry or with a routine the
/// bridge lacks with "symbol lookup error" (exit 127), and a failing NDIS DriverEntry was an OverflowException: a test
/// that completes shows the process lived.
/// </summary>
[Collection(NativeDriverCollection.Name)]
public class DriverLoadingTests
{
    /// <summary>Every broken kind, by name, with the reason its message must give.</summary>
    public static TheoryData<string, string> BrokenKinds => new()
    {
        { "truncated", "is truncated or damaged: the file has" },
        { "wrong-machine", "is built for AArch64 (ELF machine 183), not x86-64" },
        { "32-bit", "is a 32-bit ELF file" },
        { "not-elf", "is not an ELF file" },
        { "without-shim", "does not export MptSetDdiTable, MptRaiseBugCheck, MptCallDriverEntry: it was not linked with native/shim/mpt_shim.c" },
        { "without-driver-entry", "does not define DriverEntry" },
        { "unresolved-symbol", "uses NdisMDoesNotExist, which neither the driver, its shim nor the C library defines: the bridge does not implement it: docs/native.md" },
        { "ndis-driver-entry-fails", "DriverEntry returned 0xC0000001 (STATUS_UNSUCCESSFUL)" },
        { "storport-driver-entry-fails", "DriverEntry returned 0xC0000001 (STATUS_UNSUCCESSFUL)" },
        { "needs-a-missing-library", "could not be loaded: libgone.so: cannot open shared object file" },
    };

    [NativeTheory]
    [MemberData(nameof(BrokenKinds))]
    public void Load_ABrokenDriver_IsOneNativeDriverException_NamingTheFileAndTheReason(string kind, string reason)
    {
        var path = BrokenDrivers.Path(kind);
        using var engine = new VirtualTimerEngine();
        var ex = Assert.Throws<NativeDriverException>(() =>
        {
            if (kind.StartsWith("storport", StringComparison.Ordinal))
            {
                NativeStorportDriver.Load(path, new StorportHost(engine));
            }
            else
            {
                NativeNdisDriver.Load(path, new NdisHost(engine));
            }
        });
        Assert.StartsWith(path + ": ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Equal(kind.EndsWith("driver-entry-fails", StringComparison.Ordinal) ? 0xC0000001u : null, ex.DriverEntryStatus);
    }

    [NativeTheory]
    [MemberData(nameof(BrokenKinds))]
    public void RunDriver_ABrokenDriver_ExitsWith2BeforeTheRun_WithOneMessageAndNothingOnStdout(string kind, string reason)
    {
        var path = BrokenDrivers.Path(kind);
        var spec = kind.StartsWith("storport", StringComparison.Ordinal) ? path + ":storport" : path + ":ndis"; // named: not even the stack detection may read it
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var clock = Stopwatch.StartNew();
        var code = CliApp.Run(["run", "--virtual", "--duration-ms", "11000", "--driver", spec], stdout, stderr);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(stdout.ToString()); // no report: the run never started
        var text = stderr.ToString();
        var line = Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries)); // one message
        Assert.StartsWith($"run: --driver: {path}: ", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}: the 11 s run must not have started");
    }

    [NativeFact]
    public void Verify_AcceptsTheRepositorysDrivers_AndADriverUsingALibraryItNames()
    {
        foreach (var name in new[] { "storport_timers", "storport_ahci", "ndis5_timers", "ndis6_timers", "ndis6_datapath" })
        {
            NativeDriver.Verify(NativeBuild.Driver(name)); // throws if any check refused a good driver
        }

        var usesStub = BrokenDrivers.Path("uses-a-library"); // StubFunction from libstub.so, found through its $ORIGIN run path
        NativeDriver.Verify(usesStub);
        using var engine = new VirtualTimerEngine();
        var driver = NativeNdisDriver.Load(usesStub, new NdisHost(engine));
        Assert.Contains("stub says 42\n", driver.DebugOutput);
    }

    [NativeFact]
    public void CApiSession_StartDriver_ReturnsTheStatusDriverEntryReturned_AndNamesIt()
    {
        using var session = new HostSession(virtualClock: true);
        var status = session.StartDriver(s => NativeNdisDriver.Load(BrokenDrivers.Path("ndis-driver-entry-fails"), s.Ndis));
        Assert.Equal(unchecked((int)0xC0000001), status); // host.h: "Returns DriverEntry's status", not -1
        Assert.Contains("DriverEntry returned 0xC0000001 (STATUS_UNSUCCESSFUL)", session.LastError, StringComparison.Ordinal);
        Assert.Null(session.Driver);
        Assert.Throws<InvalidOperationException>(() => session.AddAdapter()); // no driver was bound

        using var good = new HostSession(virtualClock: true);
        Assert.Equal(0, good.StartDriver(s => NativeNdisDriver.Load(NativeBuild.Driver("ndis6_timers"), s.Ndis)));
        Assert.Empty(good.LastError);
    }

    /// <summary>
    /// The broken drivers, built once per test run into native/build/broken-drivers from tiny C sources with
    /// native/toolchain.mk's flags (a good driver copied and cut or patched for the truncated, wrong-machine and 32-bit
    /// kinds).
    /// </summary>
    internal static class BrokenDrivers
    {
        private static readonly Lazy<string> Folder = new(Build);

        public static string Path(string kind) => System.IO.Path.Combine(Folder.Value, kind switch
        {
            "truncated" => "truncated.so",
            "wrong-machine" => "aarch64.so",
            "32-bit" => "elf32.so",
            "not-elf" => "text.so",
            "without-shim" => "plain.so",
            "without-driver-entry" => "no_entry.so",
            "unresolved-symbol" => "unresolved.so",
            "ndis-driver-entry-fails" => "fail_ndis.so",
            "storport-driver-entry-fails" => "fail_storport.so",
            "needs-a-missing-library" => "needs_gone.so",
            "uses-a-library" => "uses_stub.so",
            "chatty" => "chatty.so",
            _ => throw new ArgumentException($"no broken driver '{kind}'", nameof(kind)),
        });

        private static string Build()
        {
            var folder = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(NativeBuild.Driver("ndis6_timers"))!, "broken-drivers"); // ignored by git, emptied by make clean
            Directory.CreateDirectory(folder);
            void Write(string name, string text)
            {
                var path = System.IO.Path.Combine(folder, name);
                if (!File.Exists(path) || File.ReadAllText(path) != text)
                {
                    File.WriteAllText(path, text); // unchanged sources keep their time: make rebuilds nothing
                }
            }

            Write("fail_ndis.c", """
                #include <ndis.h>
                NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
                {
                    DbgPrint("failing on purpose\n");
                    return STATUS_UNSUCCESSFUL;
                }
                """);
            Write("fail_storport.c", """
                #include <storport.h>
                ULONG DriverEntry(PVOID DriverObject, PVOID RegistryPath)
                {
                    return 0xC0000001;
                }
                """);
            Write("no_entry.c", """
                #include <ndis.h>
                int NotTheEntry(void) { return 0; }
                """);
            Write("unresolved.c", """
                #include <ndis.h>
                void NdisMDoesNotExist(int Value); /* declared here, implemented nowhere: a DDI the bridge lacks */
                NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
                {
                    NdisMDoesNotExist(1);
                    return STATUS_SUCCESS;
                }
                """);
            Write("plain.c", "int DriverEntry(void *DriverObject, void *RegistryPath) { return 0; }\n");
            Write("stub.c", "int StubFunction(void) { return 42; }\n");
            Write("uses_stub.c", """
                #include <ndis.h>
                int StubFunction(void);
                NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
                {
                    DbgPrint("stub says %d\n", StubFunction());
                    return STATUS_SUCCESS;
                }
                """);
            Write("chatty.c", """
                #include <ndis.h>
                NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
                {
                    for (ULONG i = 0; i < 200000; i++) {
                        DbgPrint("line %lu\n", i);
                    }
                    return STATUS_SUCCESS;
                }
                """);
            Write("Makefile", $"""
                include {NativeBuild.NativeFolder}/toolchain.mk
                # The shim compiled once, with the flags every driver gets (native/toolchain.mk), linked into each.
                SHIM := $(notdir $(MPT_SHIM:.c=.o))
                HEADERS := $(wildcard $(MPT_INCLUDE)/*.h $(MPT_INCLUDE)/*/*.h $(MPT_ROOT)/native/shim/*.h)
                all: fail_ndis.so fail_storport.so no_entry.so unresolved.so plain.so uses_stub.so needs_gone.so chatty.so
                %.o: $(MPT_ROOT)/native/shim/%.c $(HEADERS)
                	$(MPT_CC) $(MPT_CFLAGS) -c -o $@ $<
                fail_ndis.so fail_storport.so chatty.so: %.so: %.c $(SHIM) $(HEADERS)
                	$(MPT_CC) $(MPT_CFLAGS) -o $@ $< $(SHIM) $(MPT_LDFLAGS)
                # Shim linked, but without -z defs: what nothing defines is left for the loader.
                no_entry.so unresolved.so: %.so: %.c $(SHIM) $(HEADERS)
                	$(MPT_CC) $(MPT_CFLAGS) -o $@ $< $(SHIM) -shared
                plain.so: plain.c
                	$(MPT_CC) -fPIC -shared -o $@ $<
                libstub.so: stub.c
                	$(MPT_CC) -fPIC -shared -o $@ $<
                uses_stub.so: uses_stub.c libstub.so $(SHIM)
                	$(MPT_CC) $(MPT_CFLAGS) -o $@ $< $(SHIM) $(MPT_LDFLAGS) -L. -lstub -Wl,-rpath,'$$ORIGIN'
                # Linked against libgone.so, which is then deleted: dlopen cannot find it.
                needs_gone.so: uses_stub.c stub.c $(SHIM)
                	$(MPT_CC) -fPIC -shared -o libgone.so stub.c
                	$(MPT_CC) $(MPT_CFLAGS) -o $@ $< $(SHIM) $(MPT_LDFLAGS) -L. -lgone
                	rm libgone.so

                """);
            Make(folder);

            var good = File.ReadAllBytes(NativeBuild.Driver("ndis6_timers"));
            File.WriteAllBytes(System.IO.Path.Combine(folder, "truncated.so"), good[..(good.Length / 2)]); // a copy cut short
            var aarch64 = (byte[])good.Clone();
            aarch64[0x12] = 183; // e_machine: EM_AARCH64
            File.WriteAllBytes(System.IO.Path.Combine(folder, "aarch64.so"), aarch64);
            var elf32 = (byte[])good.Clone();
            elf32[4] = 1; // EI_CLASS: ELFCLASS32
            File.WriteAllBytes(System.IO.Path.Combine(folder, "elf32.so"), elf32);
            File.WriteAllText(System.IO.Path.Combine(folder, "text.so"), "this is not a shared library\n");
            return folder;
        }

        private static void Make(string folder)
        {
            var start = new ProcessStartInfo("make", ["-C", folder, "-s", "-j2", "all"]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var make = Process.Start(start) ?? throw new InvalidOperationException("make did not start");
            var stdout = make.StandardOutput.ReadToEndAsync();
            var stderr = make.StandardError.ReadToEnd();
            make.WaitForExit();
            if (make.ExitCode != 0)
            {
                throw new InvalidOperationException($"building the broken drivers failed (make exit {make.ExitCode}):\n{stdout.Result}\n{stderr}");
            }
        }
    }
}
