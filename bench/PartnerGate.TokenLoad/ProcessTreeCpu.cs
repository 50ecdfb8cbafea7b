using System.Globalization;

namespace PartnerGate.TokenLoad;

/// <summary>
/// CPU time used by processes and all their descendants, read from Linux /proc. The server is often started
/// through a wrapper (<c>dotnet run</c>, <c>taskset</c>, a shell), so the pid the bench knows is not always the
/// one doing the work; summing the tree covers both.
/// </summary>
internal static class ProcessTreeCpu
{
    // utime and stime are in clock ticks of USER_HZ, which Linux fixes at 100 on every architecture .NET runs on.
    private const double TicksPerSecond = 100;

    public static TimeSpan? Read(IReadOnlyList<int> rootPids)
    {
        if (rootPids.Count == 0 || !Directory.Exists("/proc"))
        {
            return null;
        }

        var stats = new Dictionary<int, (int ParentPid, long Ticks)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && TryReadStat(pid, out var parentPid, out var ticks))
            {
                stats[pid] = (parentPid, ticks);
            }
        }
        if (!rootPids.All(stats.ContainsKey))
        {
            return null; // a server that is gone would read as idle
        }

        var total = 0L;
        foreach (var (pid, stat) in stats)
        {
            // Each process once, even when one root is a descendant of another.
            if (rootPids.Any(rootPid => IsInTree(pid, rootPid, stats)))
            {
                total += stat.Ticks;
            }
        }
        return TimeSpan.FromSeconds(total / TicksPerSecond);
    }

    private static bool IsInTree(int pid, int rootPid, Dictionary<int, (int ParentPid, long Ticks)> stats)
    {
        // Bounded walk: a pid reused mid-scan could otherwise make a cycle.
        for (var depth = 0; depth < 64 && pid > 0; depth++)
        {
            if (pid == rootPid)
            {
                return true;
            }
            if (!stats.TryGetValue(pid, out var stat))
            {
                return false;
            }
            pid = stat.ParentPid;
        }
        return false;
    }

    private static bool TryReadStat(int pid, out int parentPid, out long ticks)
    {
        parentPid = 0;
        ticks = 0;
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false; // the process ended between listing and reading
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        // The command name (field 2) is in parentheses and may contain spaces: parse after the last ')'.
        // What follows starts at field 3 (state); ppid is field 4, utime 14, stime 15.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        if (fields.Length < 13
            || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out parentPid)
            || !long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            || !long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system))
        {
            return false;
        }
        ticks = user + system;
        return true;
    }
}
