namespace MiniportTimers.Kernel;

/// <summary>
/// A bug check: what Windows would answer with a blue screen. The emulation throws it at the faulting call; the host
/// that ran the faulting miniport code catches it, stops that adapter, and reports it. The process lives on.
/// </summary>
public sealed class BugCheckException : Exception
{
    /// <summary>Creates a bug check with its code and four parameters, as KeBugCheckEx takes them.</summary>
    public BugCheckException(uint code, ulong parameter1, ulong parameter2, ulong parameter3, ulong parameter4, string detail, Exception? inner = null)
        : base($"*** STOP: 0x{code:X8} ({BugCheckCodes.Name(code)}) (0x{parameter1:X}, 0x{parameter2:X}, 0x{parameter3:X}, 0x{parameter4:X}): {detail}", inner)
    {
        Code = code;
        Parameter1 = parameter1;
        Parameter2 = parameter2;
        Parameter3 = parameter3;
        Parameter4 = parameter4;
        Detail = detail;
    }

    /// <summary>Creates a bug check with a plain message (the code is DRIVER_VERIFIER_DETECTED_VIOLATION).</summary>
    public BugCheckException()
        : this(BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, 0, 0, 0, 0, "unspecified")
    {
    }

    /// <summary>Creates a bug check with a message (the code is DRIVER_VERIFIER_DETECTED_VIOLATION).</summary>
    public BugCheckException(string message)
        : this(BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, 0, 0, 0, 0, message)
    {
    }

    /// <summary>Creates a bug check wrapping <paramref name="innerException"/> (the code is KMODE_EXCEPTION_NOT_HANDLED).</summary>
    public BugCheckException(string message, Exception innerException)
        : this(BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, BugCheckCodes.ClrExceptionCode, 0, 0, 0, message, innerException)
    {
    }

    /// <summary>The bug check code (see <see cref="BugCheckCodes"/>).</summary>
    public uint Code { get; }

    /// <summary>First parameter, as Windows defines it for <see cref="Code"/>.</summary>
    public ulong Parameter1 { get; }

    /// <summary>Second parameter.</summary>
    public ulong Parameter2 { get; }

    /// <summary>Third parameter.</summary>
    public ulong Parameter3 { get; }

    /// <summary>Fourth parameter.</summary>
    public ulong Parameter4 { get; }

    /// <summary>What the emulation saw, in words.</summary>
    public string Detail { get; }

    /// <summary>The Windows name of <see cref="Code"/>.</summary>
    public string CodeName => BugCheckCodes.Name(Code);
}
