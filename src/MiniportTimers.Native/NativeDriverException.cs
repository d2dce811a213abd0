namespace MiniportTimers.Native;

/// <summary>A native driver could not be loaded or bound: the message names what was wrong (the file, a missing export, a table mismatch).</summary>
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
}
