#!/usr/bin/env bash
# Builds ReactOS's pcnet driver (NDIS 5.1, drivers/network/dd/pcnet) from YOUR ReactOS source tree, unmodified, with
# this repository's headers and flags, and runs it on two emulated AMD PCnet-PCI II NICs on one hub, on the virtual
# clock (issue 23):
#
#   native/real-drivers/pcnet.sh PATH-TO-ReactOS-source [run options...]
#
# Only the folder drivers/network/dd/pcnet of the tree is needed (a sparse checkout of reactos/reactos will do). The
# driver's source is only read; nothing of it enters this repository (its licence, GPL-2.0+, and CI reaches no source
# host). Output goes to native/build/pcnet/. The run: 30 s (unless --duration-ms is given), cables up at 7 s and down at
# 17 s, media OIDs after each 5 s tick, 8 frames at 12 s, resets at 14 s, halt (run --device pcnet, docs/native.md).
# Exit codes: 0 the run ended with no bug check; 1 a bug check or a failed run; 2 bad usage; 3 the driver does not
# build against native/include (the script lists what is missing).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tree="${1:-}"
if [ -z "$tree" ] || [ ! -f "$tree/drivers/network/dd/pcnet/pcnet.c" ]; then
  echo "usage: native/real-drivers/pcnet.sh PATH-TO-ReactOS-source [run options]" >&2
  echo "  (the folder must contain drivers/network/dd/pcnet/pcnet.c)" >&2
  exit 2
fi
shift
out="$root/native/build/pcnet"
mkdir -p "$out"
log="$out/build.log"
if ! make -s -f "$root/native/real-drivers/pcnet.mk" PCNET="$tree/drivers/network/dd/pcnet" OUT="$out" > "$log" 2>&1; then
  echo "pcnet does not build yet against native/include. What the headers are missing (first errors of each file):"
  grep -oE "unknown type name ‘[A-Za-z_0-9]+’|implicit declaration of function ‘[A-Za-z_0-9]+’|‘[A-Za-z_0-9]+’ undeclared|undefined reference to \`[A-Za-z_0-9]+'|has no member named ‘[A-Za-z_0-9]+’" "$log" \
    | sed -E "s/.*[‘\`]([A-Za-z_0-9]+)[’'].*/\1/" | sort -u | tr '\n' ' '
  echo
  echo "Full compiler output: $log. docs/native.md lists what is implemented so far."
  exit 3
fi
duration=(--duration-ms 30000)
for arg in "$@"; do
  case "$arg" in --duration-ms|--duration-ms=*) duration=() ;; esac
done
# Two adapters on one hub: the first one's sends are received by the second.
exec dotnet run --project "$root/src/MiniportTimers.Cli" -c Release -- run --virtual --driver "$out/pcnet.so:ndis" --driver-adapters 2 --device pcnet --driver-debug "${duration[@]}" "$@"
