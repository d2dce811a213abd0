using System.Reflection;

namespace MiniportTimers.Engine;

/// <summary>
/// Names an engine timer's callback for reports (the engine's longest callback in <c>run</c>, issue 27): the method as
/// "Type.Method", a compiler-generated lambda as "Type (a lambda in Method)". Reflection, so only for reports, never on
/// a dispatch path.
/// </summary>
internal static class CallbackNames
{
    /// <summary>
    /// The name of what <paramref name="timer"/> runs: what its state says when it is an <see cref="IReportedCallback"/>
    /// (a hosted timer's routine), else the delegate in its state when that is one (a scheduled action runs
    /// its state through one shared callback), else its own callback, followed by the state's type when the callback is
    /// static code shared by many timers (a timer core, a device model); a subclass of <see cref="EngineTimer"/> by its type.
    /// </summary>
    public static string Of(EngineTimer timer)
    {
        if (timer.State is IReportedCallback { ReportedCallbackName: { } reported })
        {
            return reported;
        }

        if (timer.State is Delegate scheduled)
        {
            return Of(scheduled.Method);
        }

        if (timer is DelegateEngineTimer { Callback: var callback })
        {
            var name = Of(callback.Method);
            return timer.State is { } state && IsLambda(callback.Method) ? $"{name}, for a {state.GetType().Name}" : name;
        }

        return timer.GetType().Name;
    }

    /// <summary>"Type.Method", or "Type (a lambda in Method)" for a compiler-generated lambda.</summary>
    public static string Of(MethodInfo method)
    {
        var type = method.DeclaringType;
        while (type is { IsNested: true } && type.Name.StartsWith('<'))
        {
            type = type.DeclaringType; // a closure class: name the type the lambda was written in
        }

        var typeName = type?.Name ?? "?";
        if (IsLambda(method))
        {
            var end = method.Name.IndexOf('>', StringComparison.Ordinal);
            return $"{typeName} (a lambda in {method.Name[1..end]})";
        }

        return $"{typeName}.{method.Name}";
    }

    private static bool IsLambda(MethodInfo method) => method.Name.StartsWith('<') && method.Name.Contains(">b__", StringComparison.Ordinal);
}
