#!/usr/bin/env bash
# Builds Microsoft's netvmini sample (NDIS 6.0) from YOUR checkout of microsoft/Windows-driver-samples, unmodified,
# with this repository's headers and flags, and runs it on the virtual clock:
#
#   native/real-drivers/netvmini.sh PATH-TO-Windows-driver-samples [run options...]
#
# The driver's source is only read; nothing of it enters this repository (its licence, and CI reaches no source host).
# Output goes to native/build/netvmini/. Exit codes: 0 the run ended with no bug check; 1 a bug check or a failed run;
# 2 bad usage; 3 the driver does not build yet against native/include (the script lists what it is missing).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
checkout="${1:-}"
if [ -z "$checkout" ] || [ ! -d "$checkout/network/ndis/netvmini/6x" ]; then
  echo "usage: native/real-drivers/netvmini.sh PATH-TO-Windows-driver-samples [run options]" >&2
  echo "  (the folder must contain network/ndis/netvmini/6x)" >&2
  exit 2
fi
shift
out="$root/native/build/netvmini"
mkdir -p "$out"
log="$out/build.log"
if ! make -s -f "$root/native/real-drivers/netvmini.mk" NETVMINI="$checkout/network/ndis/netvmini/6x" OUT="$out" > "$log" 2>&1; then
  echo "netvmini does not build yet against native/include. What the headers are missing (first errors of each file):"
  grep -oE "unknown type name ‘[A-Za-z_0-9]+’|implicit declaration of function ‘[A-Za-z_0-9]+’|‘[A-Za-z_0-9]+’ undeclared|undefined reference to \`[A-Za-z_0-9]+'" "$log" \
    | sed -E "s/.*[‘\`]([A-Za-z_0-9]+)[’'].*/\1/" | sort -u | tr '\n' ' '
  echo
  echo "Full compiler output: $log. docs/native.md lists what is implemented so far."
  exit 3
fi
# Two adapters: netvmini's instances form a hub, so the first one's sends are received by the second.
exec dotnet run --project "$root/src/MiniportTimers.Cli" -c Release -- run --virtual --driver "$out/netvmini.so:ndis" --driver-adapters 2 "$@"
