#!/usr/bin/env bash
# bench/run.sh - load and analyze timings against DuckDB's own readers, on generated data.
#
# Builds signinlens and two helpers (bench/gendata, bench/rawscan), generates synthetic
# exports into a temporary folder, runs every measurement RUNS times (alternating, so a busy
# machine slows both sides of a ratio alike) and prints a table of medians: wall time, peak
# RSS (from /usr/bin/time -v) and the ratio to the reference measurement of the same data.
#
# Usage:
#   bench/run.sh                      # default sizes: 130k-sign-in folder, 1M-sign-in file
#   RUNS=1 BIG=200000 bench/run.sh    # quicker
#   ONLY=folder bench/run.sh          # one group: folder, big, graph, admin-json, admin-csv, analyze
#   ONLY=analyze bench/run.sh         # analyze against the pandas notebook (bench/notebook.py)
#   KEEP=1 WORK=/data/bench bench/run.sh   # keep the generated data (reused when present)
#
# Environment:
#   RUNS     runs per measurement (default 3; the median is reported)
#   FOLDER   sign-ins in the diagnostic-settings folder of hourly PT1H.json files (default 130000)
#   BIG      sign-ins in the single JSON-lines file (default 1000000, ~4 GB)
#   OTHER    sign-ins in the Graph, admin JSON and admin CSV exports (default 130000)
#   THREADS, MEMORY   passed as --threads and --memory-limit to every measurement
#   BASELINE another signinlens binary (say, built from the previous commit): its load is
#            measured beside the current one, for before/after figures from the same run
#   WORK     working folder (default: a new temporary folder, removed unless KEEP=1)
#   PYTHON   the interpreter for bench/notebook.py (default /usr/bin/python3, Debian's, which
#            has python3-pandas and python3-openpyxl)
#
# Needs: go, GNU time (/usr/bin/time; apt-get install time), python3-pandas and
# python3-openpyxl for the analyze group, and ~10 GB free in the temp dir
# with the default sizes (the 1M-sign-in file is 4 GB and is concatenated from a 4 GB folder).
set -euo pipefail

RUNS=${RUNS:-3}
FOLDER=${FOLDER:-130000}
BIG=${BIG:-1000000}
OTHER=${OTHER:-130000}
ONLY=${ONLY:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

if [[ ! -x /usr/bin/time ]]; then
	echo "bench: error: /usr/bin/time (GNU time) is needed for peak memory; apt-get install time" >&2
	exit 1
fi
if [[ -z ${WORK:-} ]]; then
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/signinlens-bench-XXXXXX")
	[[ -n ${KEEP:-} ]] || trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK/bin" "$WORK/db"
BIN=$WORK/bin
RESULTS=$WORK/results.tsv
: >"$RESULTS"

echo "# building (work folder $WORK)" >&2
(cd "$ROOT" && go build -o "$BIN/signinlens" ./cmd/signinlens && go build -o "$BIN/gendata" ./bench/gendata && go build -o "$BIN/rawscan" ./bench/rawscan)

engine=()
[[ -n ${THREADS:-} ]] && engine+=(--threads "$THREADS")
[[ -n ${MEMORY:-} ]] && engine+=(--memory-limit "$MEMORY")
rawengine=()
[[ -n ${THREADS:-} ]] && rawengine+=(-threads "$THREADS")
[[ -n ${MEMORY:-} ]] && rawengine+=(-memory-limit "$MEMORY")

want() { [[ -z $ONLY || $ONLY == *"$1"* ]]; }

# The analyze group's yardstick, bench/notebook.py, needs Debian's pandas and openpyxl.
PYTHON=${PYTHON:-/usr/bin/python3}
if want analyze && ! "$PYTHON" -c 'import pandas, openpyxl' 2>/dev/null; then
	echo "bench: warning: $PYTHON cannot import pandas and openpyxl (apt-get install python3-pandas python3-openpyxl); the notebook is not measured" >&2
	PYTHON=
fi

# gen NAME FORMAT EVENTS [single]: generate once into $WORK/data/NAME.
gen() {
	local dir=$WORK/data/$1
	if [[ -e $dir || -e $dir.json ]]; then return; fi
	echo "# generating $1: $3 sign-ins as $2" >&2
	if [[ ${4:-} == single ]]; then
		"$BIN/gendata" -format "$2" -events "$3" -days 30 -out "$dir.tmp" -single "$dir.json" >&2
	else
		"$BIN/gendata" -format "$2" -events "$3" -days 14 -out "$dir" >&2
	fi
}

# run GROUP NAME CMD...: one timed run; appends "group name seconds rss_kb cpu_seconds".
run() {
	local group=$1 name=$2
	shift 2
	rm -f "$WORK/db/"*
	local log=$WORK/time.log
	if ! /usr/bin/time -v -o "$log" "$@" >"$WORK/out.log" 2>&1; then
		echo "bench: error: $group/$name failed:" >&2
		tail -5 "$WORK/out.log" >&2
		exit 1
	fi
	local secs rss cpu
	secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$log")
	rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
	cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {print s}' "$log")
	printf '%s\t%s\t%s\t%s\t%s\n' "$group" "$name" "$secs" "$rss" "$cpu" >>"$RESULTS"
	printf '  %-10s %-24s %8.2f s wall %8.2f s cpu %6d MB\n' "$group" "$name" "$secs" "$cpu" "$((rss / 1024))" >&2
}

# /usr/bin/time runs programs, not shell functions: the two commands as arrays.
load=("$BIN/signinlens" load --quiet ${engine[@]+"${engine[@]}"} --db "$WORK/db/load.duckdb")
scan=("$BIN/rawscan" ${rawengine[@]+"${rawengine[@]}"} -db "$WORK/db/scan.duckdb" -kind)
baseline=()
[[ -n ${BASELINE:-} ]] && baseline=("$BASELINE" load --quiet ${engine[@]+"${engine[@]}"} --db "$WORK/db/load.duckdb")
# loads DATA: the current load, then the baseline's when BASELINE is set.
loads() {
	local group=$1 data=$2
	run "$group" load "${load[@]}" "$data"
	if [[ -n ${BASELINE:-} ]]; then run "$group" "load (baseline)" "${baseline[@]}" "$data"; fi
}

for ((i = 1; i <= RUNS; i++)); do
	echo "# run $i of $RUNS" >&2
	if want folder; then
		gen folder diagnostic "$FOLDER"
		d=$WORK/data/folder
		run folder scan:ndjson-objects "${scan[@]}" ndjson-objects "$d/**/*.json"
		run folder scan:json-schema "${scan[@]}" json-schema "$d/**/*.json"
		loads folder "$d"
	fi
	if want big; then
		gen big diagnostic "$BIG" single
		f=$WORK/data/big.json
		run big scan:ndjson-objects "${scan[@]}" ndjson-objects "$f"
		run big scan:json-schema "${scan[@]}" json-schema "$f"
		loads big "$f"
	fi
	if want graph; then
		gen graph graph "$OTHER"
		d=$WORK/data/graph
		run graph scan:json-auto-objects "${scan[@]}" json-auto-objects "$d/*.json"
		loads graph "$d"
	fi
	if want admin-json; then
		gen admin-json admin-json "$OTHER"
		d=$WORK/data/admin-json
		run admin-json scan:json-array-objects "${scan[@]}" json-array-objects "$d/*.json"
		loads admin-json "$d"
	fi
	if want admin-csv; then
		gen admin-csv admin-csv "$OTHER"
		d=$WORK/data/admin-csv
		run admin-csv scan:csv "${scan[@]}" csv "$d/*.csv"
		loads admin-csv "$d"
	fi
	if want analyze && "$BIN/signinlens" analyze --help >/dev/null 2>&1; then
		gen folder diagnostic "$FOLDER"
		d=$WORK/data/folder
		if [[ -n $PYTHON ]]; then run analyze notebook:pandas "$PYTHON" "$ROOT/bench/notebook.py" "$d" "$WORK/db/notebook.xlsx"; fi
		run analyze analyze:xlsx "$BIN/signinlens" analyze --quiet ${engine[@]+"${engine[@]}"} -o "$WORK/db/report.xlsx" "$d"
		run analyze scan:json-schema "${scan[@]}" json-schema "$d/**/*.json"
		run analyze load "${load[@]}" "$d"
	fi
done

# Medians per measurement, and the ratio to the first measurement of each group.
echo
echo "$(date -u +%Y-%m-%d) $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), runs=$RUNS"
awk -F'\t' '
	{ key = $1 "\t" $2; if (!(key in seen)) { seen[key] = 1; order[++n] = key; if (!($1 in ref)) ref[$1] = key }
	  t[key] = t[key] " " $3; m[key] = m[key] " " $4; c[key] = c[key] " " $5 }
	function median(list,   a, k, i, j, x) {
		k = split(list, a, " ")
		for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > x + 0; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	END {
		printf "| %-10s | %-24s | %9s | %11s | %9s | %11s | %9s |\n", "data", "measurement", "wall s", "x reference", "CPU s", "x reference", "peak MB"
		printf "|%s|%s|%s|%s|%s|%s|%s|\n", "------------", "--------------------------", "----------:", "------------:", "----------:", "------------:", "----------:"
		for (i = 1; i <= n; i++) {
			split(order[i], kk, "\t"); g = kk[1]
			s = median(t[order[i]]); r = median(m[order[i]]); u = median(c[order[i]])
			base = median(t[ref[g]]); cbase = median(c[ref[g]])
			printf "| %-10s | %-24s | %9.2f | %11.2f | %9.2f | %11.2f | %9d |\n", g, kk[2], s, s / base, u, u / cbase, r / 1024
		}
	}' "$RESULTS"
echo
echo "reference = the first measurement of each data set (DuckDB reading the same files; for analyze, the pandas notebook);"
echo "medians of $RUNS runs; CPU = user + system time of the process (steadier than wall time on a shared machine)"
