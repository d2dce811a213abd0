#!/usr/bin/env bash
# Long-run memory check (issue 11): RSS must stay within 10 % after the first minute.
#  1. `run --virtual` for 1 and for 10 minutes of virtual time: peak RSS of each (the 10-minute one must be within 10 %).
#  2. `run` on the real clock for 3 minutes: RSS sampled every 10 s; the largest after the first minute against the
#     RSS at one minute.
# Usage: bench/long-run.sh [real-seconds (default 180)]. Needs Linux (/proc) and GNU time. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
real_seconds=${1:-180}
dotnet build src/MiniportTimers.Cli -c Release >/dev/null
app=src/MiniportTimers.Cli/bin/Release/net10.0/miniport-timers.dll
fail=0

peak() { /usr/bin/time -f "%M" dotnet "$app" "$@" 2>&1 >/dev/null | tail -n 1; }
one=$(peak run --virtual --duration-ms 60000)
ten=$(peak run --virtual --duration-ms 600000)
echo "virtual run, peak RSS: 1 min $((one / 1024)) MiB, 10 min $((ten / 1024)) MiB ($(( (ten - one) * 100 / one )) %)"
[ $(( ten * 100 )) -le $(( one * 110 )) ] || { echo "  grew more than 10 %"; fail=1; }

dotnet "$app" run --duration-ms $(( real_seconds * 1000 )) >/dev/null &
pid=$!
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0; }
at_minute=0; largest=0
for (( t = 10; t < real_seconds; t += 10 )); do
  sleep 10
  r=$(rss)
  [ "$t" -eq 60 ] && at_minute=$r
  [ "$t" -gt 60 ] && [ "$r" -gt "$largest" ] && largest=$r
  echo "  real run, t=${t}s: RSS $((r / 1024)) MiB"
done
wait "$pid" || { echo "  the real-clock run failed"; fail=1; }
echo "real-clock run, RSS: at 1 min $((at_minute / 1024)) MiB, largest after it $((largest / 1024)) MiB ($(( (largest - at_minute) * 100 / at_minute )) %)"
[ $(( largest * 100 )) -le $(( at_minute * 110 )) ] || { echo "  grew more than 10 %"; fail=1; }
exit $fail
