namespace MiniportTimers.Native;

/// <summary>
/// A native driver could not be loaded or bound, or its DriverEntry failed: the message names the file and what was
/// wrong ("PATH: is truncated or damaged: ...", "PATH: does not export MptSetDdiTable: ...", "PATH: DriverEntry returned
/// 0xC0000001 (STATUS_UNSUCCESSFUL)"; docs/native.md, "What is checked before loading").
/// </summary>
public sealed class NativeDriverException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NativeDriverException()
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public NativeDriverException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and its cause.</summary>
    public NativeDriverException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a DriverEntry that returned <paramref name="driverEntryStatus"/>, a failure.</summary>
    internal NativeDriverException(string message, uint driverEntryStatus)
        : base(message) =>
        DriverEntryStatus = driverEntryStatus;

    /// <summary>The status DriverEntry returned when that is the failure (not NT_SUCCESS); null for any other failure.</summary>
    public uint? DriverEntryStatus { get; }
}
