#!/usr/bin/env bash
# Runs every scenario in test/oracle/scenarios through the project's Erlang/OTP driver
# (test/oracle/driver/dspex_oracle.escript; $DSPEX_ORACLE_DRIVER may name another one).
#   --check  compare with the checked-in .log files (default)
#   --write  rewrite the .log files
set -uo pipefail
cd "$(dirname "$0")"
mode=${1:---check}
driver=${DSPEX_ORACLE_DRIVER:-driver/dspex_oracle.escript}
# A check against real Erlang that cannot run fails (exit 1): it must never pass unchecked.
if ! command -v escript >/dev/null 2>&1; then
  echo "regen-logs: escript not found (Debian package erlang-base): cannot check the logs against real Erlang/OTP"
  exit 1
fi
if [ ! -f "$driver" ]; then
  echo "regen-logs: driver not found at $driver: cannot check the logs"
  exit 1
fi
fail=0
count=0
for scn in scenarios/*.scn; do
  log="${scn%.scn}.log"
  out=$(escript "$driver" "$scn")
  status=$?
  count=$((count + 1))
  if [ $status -ne 0 ]; then
    echo "regen-logs: $scn: driver exited $status"
    fail=1
    continue
  fi
  if [ "$mode" = "--write" ]; then
    printf '%s\n' "$out" >"$log"
  elif ! diff -q <(printf '%s\n' "$out") "$log" >/dev/null; then
    echo "regen-logs: $scn: real OTP output differs from $log"
    diff <(printf '%s\n' "$out") "$log" | head -20
    fail=1
  fi
done
echo "regen-logs: $count scenario(s) run on real Erlang/OTP ($mode)"
exit $fail
