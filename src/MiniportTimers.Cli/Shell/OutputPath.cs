namespace MiniportTimers.Cli.Shell;

/// <summary>
/// An output the user named: <c>-</c> is standard output; anything else a file (or, for bench, a folder) that must be
/// writable. Checked before the run (<see cref="Check"/>) and written after it (the TryWrite methods), so one
/// unwritable output never stops the others and never shows a stack trace.
/// </summary>
internal static class OutputPath
{
    /// <summary>The name that means standard output.</summary>
    public const string StandardOutput = "-";

    /// <summary>Why <paramref name="path"/> cannot be written, or null when it can (the check leaves no file behind).</summary>
    public static string? Check(string path, bool isFolder)
    {
        if (path == StandardOutput)
        {
            return isFolder ? "'-' (standard output) is not a folder." : null;
        }

        try
        {
            var full = Path.GetFullPath(path);
            if (isFolder)
            {
                if (File.Exists(full))
                {
                    return $"'{path}' is a file, not a folder.";
                }

                Directory.CreateDirectory(full);
                var probe = Path.Combine(full, $".write-check-{Environment.ProcessId}");
                using (File.Create(probe))
                {
                }

                File.Delete(probe);
                return null;
            }

            if (Directory.Exists(full))
            {
                return $"'{path}' is a folder, not a file.";
            }

            var folder = Path.GetDirectoryName(full);
            if (folder is not null && !Directory.Exists(folder))
            {
                return $"'{path}': the folder '{folder}' does not exist.";
            }

            var existed = File.Exists(full);
            using (new FileStream(full, FileMode.OpenOrCreate, FileAccess.Write))
            {
            }

            if (!existed)
            {
                File.Delete(full);
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return $"'{path}' cannot be written: {ex.Message}";
        }
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> (or standard output).</summary>
    /// <returns>Null on success, else the message to print (the caller exits with <see cref="ExitCodes.OutputError"/>).</returns>
    public static string? TryWrite(string path, string content, TextWriter standardOutput)
    {
        if (path == StandardOutput)
        {
            standardOutput.Write(content);
            standardOutput.Flush();
            return null;
        }

        return TryWrite(path, stream =>
        {
            using var writer = new StreamWriter(stream);
            writer.Write(content);
        });
    }

    /// <summary>Writes a file through <paramref name="write"/> (large outputs such as a trace are streamed, not built as a string).</summary>
    /// <returns>Null on success, else the message to print.</returns>
    public static string? TryWrite(string path, Action<Stream> write)
    {
        try
        {
            using var file = File.Create(path);
            write(file);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return $"could not write '{path}': {ex.Message}";
        }
    }
}
