using MiniportTimers.Engine;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// What the run's engine callbacks threw outside any miniport routine (<see cref="TimerEngine.CallbackFaulted"/>): the
/// report's invariant failure counted them ("N engine callbacks threw"), and named none. The first
/// <see cref="MaximumDescribed"/> are described, one line each: the exception's type, its message and the method that
/// threw, never a stack trace. Thread-safe: the engine raises the event on its dispatchers.
/// </summary>
internal sealed class CallbackFaults
{
    /// <summary>How many faults are described; the count in the report covers all of them.</summary>
    public const int MaximumDescribed = 5;

    private readonly Lock _gate = new();
    private readonly List<string> _descriptions = [];

    /// <summary>The descriptions so far, in the order they were raised (at most <see cref="MaximumDescribed"/>).</summary>
    public IReadOnlyList<string> Descriptions
    {
        get
        {
            lock (_gate)
            {
                return [.. _descriptions];
            }
        }
    }

    /// <summary>The first method on the exception's stack outside the runtime's own (System.*): where our code or the
    /// samples' made the call that threw (a throw helper's name says nothing). Null when there is none.</summary>
    private static string? ThrowingMethod(Exception exception)
    {
        foreach (var frame in new System.Diagnostics.StackTrace(exception, false).GetFrames())
        {
            if (frame.GetMethod() is { DeclaringType: { } type } method && !(type.Namespace ?? string.Empty).StartsWith("System", StringComparison.Ordinal))
            {
                var owner = type.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute), false) && type.DeclaringType is { } outer ? outer : type; // a lambda's closure: its type
                return $"{owner.Name}.{method.Name}";
            }
        }

        return null;
    }

    /// <summary>The <see cref="TimerEngine.CallbackFaulted"/> handler (on a dispatcher).</summary>
    public void Record(EngineTimer timer, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var site = ThrowingMethod(exception) is { } method ? $" (in {method})" : string.Empty;
        var line = $"an engine callback threw {exception.GetType().Name}: {exception.Message}{site}";
        lock (_gate)
        {
            if (_descriptions.Count < MaximumDescribed)
            {
                _descriptions.Add(line);
            }
        }
    }
}
