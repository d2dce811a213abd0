#!/usr/bin/env bash
# Builds Microsoft's storahci sample (a Storport AHCI miniport) from YOUR checkout of microsoft/Windows-driver-samples,
# unmodified, with this repository's headers and flags, and runs it on the virtual clock against an emulated AHCI 1.3
# HBA with SATA disks (the Storport scenario: enumeration, checked reads and writes, a flush, a hot unplug and plug):
#
#   native/real-drivers/storahci.sh PATH-TO-Windows-driver-samples [run options...]
#
# Without run options it runs the acceptance scenario of issue 22: ports 0 and 2 hold disks, port 3 is empty, port 1's
# disk stays BSY for ever (--never-ready-port 0:1: a COMRESET at 1 s, given up at 60 s), for 75 s of virtual time.
# Any run options replace those (e.g. --real-time, --duration-ms 5000, --driver-debug, --trace FILE, --json FILE).
#
# The driver's source is only read; nothing of it enters this repository (its licence, and CI reaches no source host).
# It needs gcc and make only: ata.h and scsi.h are ours (native/include). Output goes to native/build/storahci/.
# Exit codes: 0 the run ended with no bug check; 1 a bug check or a failed run; 2 bad usage; 3 the driver does not
# build yet against native/include (the script lists what it is missing).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
checkout="${1:-}"
if [ -z "$checkout" ] || [ ! -f "$checkout/storage/miniports/storahci/src/entrypts.c" ]; then
  echo "usage: native/real-drivers/storahci.sh PATH-TO-Windows-driver-samples [run options]" >&2
  echo "  (the folder must contain storage/miniports/storahci/src)" >&2
  exit 2
fi
shift
out="$root/native/build/storahci"
mkdir -p "$out"
log="$out/build.log"
if ! make -s -f "$root/native/real-drivers/storahci.mk" STORAHCI="$checkout/storage/miniports/storahci/src" OUT="$out" > "$log" 2>&1; then
  echo "storahci does not build yet against native/include. What the headers or the bridge are missing (first errors of each file):"
  grep -oE "unknown type name ‘[A-Za-z_0-9]+’|implicit declaration of function ‘[A-Za-z_0-9]+’|‘[A-Za-z_0-9]+’ undeclared|undefined reference to \`[A-Za-z_0-9]+'" "$log" \
    | sed -E "s/.*[‘\`]([A-Za-z_0-9]+)[’'].*/\1/" | sort -u | tr '\n' ' '
  echo
  echo "Full compiler output: $log. docs/native.md lists what is implemented so far."
  exit 3
fi
if [ $# -eq 0 ]; then
  set -- --virtual --never-ready-port 0:1 --duration-ms 75000
fi
exec dotnet run --project "$root/src/MiniportTimers.Cli" -c Release -- run --driver "$out/storahci.so:storport" "$@"
