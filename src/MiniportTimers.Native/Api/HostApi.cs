using System.Runtime.InteropServices;
using System.Text;

namespace MiniportTimers.Native.Api;

/// <summary>
/// The C API of way (a) (native/include/mpt/host.h): a C test program that links its driver, native/shim/mpt_shim.c and
/// this library published with NativeAOT drives the emulation with these. Every entry point catches what goes wrong and
/// answers -1 (or NULL), with the reason in mpt_host_last_error; nothing escapes to C.
/// </summary>
internal static unsafe class HostApi
{
    [UnmanagedCallersOnly(EntryPoint = "mpt_host_create")]
    private static nint Create(int virtualClock)
    {
        try
        {
            return GCHandle.ToIntPtr(GCHandle.Alloc(new HostSession(virtualClock != 0)));
        }
        catch (Exception)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "mpt_host_start_driver")]
    private static int StartDriver(nint host, int stack) => Guard(host, s => s.StartDriver(stack));

    [UnmanagedCallersOnly(EntryPoint = "mpt_host_add_adapter")]
    private static int AddAdapter(nint host) => Guard(host, s => s.AddAdapter());

    [UnmanagedCallersOnly(EntryPoint = "mpt_host_advance")]
    private static int Advance(nint host, ulong microseconds) => Guard(host, s =>
    {
        s.Advance(microseconds);
        return 0;
    });

    [UnmanagedCallersOnly(EntryPoint = "mpt_host_submit")]
    private static int Submit(nint host, int adapter, byte command) => Guard(host, s => s.Submit(adapter, command) ? 1 : 0);

    [UnmanagedCallersOnly(EntryPoint = "mpt_host_stop_adapter")]
    private static int Stop(nint host, int adapter) => Guard(host, s =>
    {
        s.Stop(adapter);
        return 0;
    });

    [UnmanagedCallersOnly(EntryPoint = "mpt_host_report_json")]
    private static nuint ReportJson(nint host, byte* buffer, nuint capacity) => (nuint)Math.Max(0, Guard(host, s => Copy(s.ReportJson(), buffer, capacity)));

    [UnmanagedCallersOnly(EntryPoint = "mpt_host_last_error")]
    private static nuint LastError(nint host, byte* buffer, nuint capacity) =>
        host == 0 ? 0 : (nuint)Copy(Session(host).LastError, buffer, capacity);

    [UnmanagedCallersOnly(EntryPoint = "mpt_host_destroy")]
    private static void Destroy(nint host)
    {
        if (host == 0)
        {
            return;
        }

        var handle = GCHandle.FromIntPtr(host);
        (handle.Target as HostSession)?.Dispose();
        handle.Free();
    }

    private static HostSession Session(nint host) => (HostSession)GCHandle.FromIntPtr(host).Target!;

    private static int Guard(nint host, Func<HostSession, int> body)
    {
        if (host == 0)
        {
            return -1;
        }

        var session = Session(host);
        try
        {
            session.LastError = string.Empty;
            return body(session);
        }
        catch (Exception ex)
        {
            session.LastError = $"{ex.GetType().Name}: {ex.Message}";
            return -1;
        }
    }

    /// <summary>Copies <paramref name="text"/> as UTF-8 with a terminator when it fits; returns the bytes it needs (without the terminator).</summary>
    private static int Copy(string text, byte* buffer, nuint capacity)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (buffer is not null && (nuint)bytes.Length < capacity)
        {
            bytes.AsSpan().CopyTo(new Span<byte>(buffer, bytes.Length));
            buffer[bytes.Length] = 0;
        }

        return bytes.Length;
    }
}
