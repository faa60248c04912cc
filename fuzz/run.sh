#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/Package.swift and runs each for FUZZ_SECONDS.
#
#   fuzz/run.sh [TARGET...]          all targets when none is named
#
# Environment:
#   FUZZ_SECONDS    seconds per target (default 300): libFuzzer -max_total_time
#   FUZZ_RUNS       also stop a target after this many executions (default: no limit)
#   FUZZ_SANITIZER  "address" adds AddressSanitizer to libFuzzer (separate build dir fuzz/.build-asan)
#   FUZZ_ARGS       extra libFuzzer flags, e.g. "-max_len=2048 -seed=1"
#   SWIFT_BIN       Swift toolchain (default /opt/swift/usr/bin)
#
# Per target: replays fixtures/fuzz-regressions/<TARGET>-*.bin, then fuzzes from corpus/<TARGET>
# (read-only seeds) with new inputs kept in fuzz/.work/<TARGET>. A crash leaves its input as
# fuzz/artifacts/<TARGET>-crash-<sha1> (or leak-, timeout-, oom-); minimise it with
#   fuzz/.build/release/<TARGET> -minimize_crash=1 -runs=100000 <artifact>
# Prints one line per target (executions, exec/s) and exits non-zero if any target failed.
set -uo pipefail

FUZZ_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$FUZZ_DIR")
SWIFT_BIN=${SWIFT_BIN:-/opt/swift/usr/bin}
export PATH="$SWIFT_BIN:$PATH"
SECONDS_PER_TARGET=${FUZZ_SECONDS:-300}
ALL_TARGETS=(FuzzRTPHeader FuzzRTCP FuzzFrame FuzzSDP FuzzKernelEvent FuzzCapture FuzzHTTPRequest)
if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

build_flags=(-c release --sanitize fuzzer -Xswiftc -enable-testing)
scratch=.build
case "${FUZZ_SANITIZER:-}" in
  "") ;;
  address) build_flags+=(--sanitize address); scratch=.build-asan ;;
  *) echo "run.sh: FUZZ_SANITIZER must be empty or 'address'" >&2; exit 2 ;;
esac

cd "$FUZZ_DIR" || exit 1
# Same dependency versions as the root package's own build, when it has resolved them.
[ -f Package.resolved ] || [ ! -f "$ROOT/Package.resolved" ] || cp "$ROOT/Package.resolved" Package.resolved
echo "fuzz: swift build ${build_flags[*]} --scratch-path $scratch"
swift build "${build_flags[@]}" --scratch-path "$scratch" || { echo "fuzz: build failed" >&2; exit 1; }
BIN="$FUZZ_DIR/$scratch/release"

# libFuzzer must see the trap itself (to save the input): the Swift runtime's backtracer would
# otherwise take the signal first. Reproduce a crash without this variable for a symbolised stack.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}

mkdir -p artifacts logs
failed=0
summary=()
for target in "${TARGETS[@]}"; do
  [ -x "$BIN/$target" ] || { echo "fuzz: no such target $target" >&2; failed=1; continue; }
  log="logs/$target${FUZZ_SANITIZER:+-$FUZZ_SANITIZER}.log"
  : >"$log"

  # Regressions first: every saved crash input must run clean.
  shopt -s nullglob
  regressions=("$ROOT"/fixtures/fuzz-regressions/"$target"-*.bin)
  shopt -u nullglob
  if [ ${#regressions[@]} -gt 0 ]; then
    if ! "$BIN/$target" "${regressions[@]}" >>"$log" 2>&1; then
      echo "fuzz: $target: a regression input crashes again (see fuzz/$log)" >&2
      summary+=("$(printf '%-16s REGRESSION  see fuzz/%s' "$target" "$log")")
      failed=1
      continue
    fi
  fi

  mkdir -p ".work/$target"
  flags=(-max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048
         -artifact_prefix="artifacts/$target-")
  [ -n "${FUZZ_RUNS:-}" ] && flags+=(-runs="$FUZZ_RUNS")
  [ -f "dict/$target.dict" ] && flags+=(-dict="dict/$target.dict")
  # shellcheck disable=SC2206
  flags+=(${FUZZ_ARGS:-})
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s${FUZZ_SANITIZER:+ ($FUZZ_SANITIZER)}"
  "$BIN/$target" "${flags[@]}" ".work/$target" "corpus/$target" >>"$log" 2>&1
  status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [ $status -eq 0 ]; then
    result=ok
  else
    failed=1
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    result="FAILED (exit $status) ${artifact:+input fuzz/$artifact }log fuzz/$log"
    grep -E '^==[0-9]+==ERROR|^==[0-9]+== ERROR|deadly signal|Fatal error|SUMMARY' "$log" | head -3 >&2
  fi
  summary+=("$(printf '%-16s executions %-10s exec/s %-8s %s' "$target" "${execs:-?}" "${rate:-?}" "$result")")
done

echo
echo "fuzz summary (${SECONDS_PER_TARGET}s per target${FUZZ_SANITIZER:+, $FUZZ_SANITIZER}):"
printf '  %s\n' "${summary[@]}"
exit $failed
