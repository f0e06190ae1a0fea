#!/usr/bin/env bash
# release.sh [--quick] VERSION: build the release artifacts into dist/ from a Debian 12 machine.
#
#   signinlens-linux-amd64        DuckDB linked statically
#   signinlens-linux-arm64        cross-compiled with Debian's gcc-aarch64-linux-gnu
#   signinlens-windows-amd64.zip  signinlens.exe + DuckDB's own duckdb.dll + licences + README
#   THIRD_PARTY_LICENSES.txt      licences of everything linked or bundled
#   *.cdx.json                    one CycloneDX SBOM per artifact (Go modules + DuckDB)
#   SHA256SUMS
#
# Every binary is smoke-tested in an empty directory with an empty environment (no Go on
# PATH): `version --json`, then `analyze sample -o report.xlsx`. arm64 runs under qemu-user,
# Windows under Wine (with a test-only bcryptprimitives.dll, see scripts/wine/).
# Missing Debian packages are installed with apt-get (as root).
#
# --quick (CI): Linux amd64 only, plus the Windows link and archive check when MinGW and npm
# are already present; nothing is installed and no SBOM is written.
# DIST=dir overrides the output directory (it must be empty or absent unless it is dist/).
set -euo pipefail

quick=0
if [ "${1:-}" = --quick ]; then quick=1; shift; fi
if [ $# -ne 1 ] || [[ $1 == -* ]]; then
	echo "usage: scripts/release.sh [--quick] VERSION   (e.g. v0.3.0)" >&2
	exit 2
fi
VERSION=$1

cd "$(dirname "$0")/.."
ROOT=$PWD
DIST=${DIST:-$ROOT/dist}
CACHE=${SIGNINLENS_RELEASE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/signinlens-release}

# DuckDB on Windows: the duckdb.dll that DuckDB publishes in its Node bindings package, the
# same release the Go bindings link statically elsewhere (duckdb-go-bindings v0.10506.0
# builds DuckDB v1.5.6, see DUCKDB_VERSION in its Makefile). Bump all four together.
DUCKDB_VERSION=v1.5.6
DUCKDB_NPM=@duckdb/node-bindings-win32-x64@1.5.6-r.1
DUCKDB_NPM_TGZ=duckdb-node-bindings-win32-x64-1.5.6-r.1.tgz
DUCKDB_NPM_SHA256=03873bb6dbef0aa30ba28d12dc6afa63769641823bb64bb425894218442f3e9c
DUCKDB_DLL_SHA256=7e90bdef028d57b45490d6f53530e3c012a5d9abdc4c6723449200663dc84ed0
CYCLONEDX_GOMOD=github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@v1.10.0

COMMIT=$(git rev-parse HEAD)
git diff --quiet HEAD -- || COMMIT=$COMMIT-dirty
DATE=$(date -u ${SOURCE_DATE_EPOCH:+-d "@$SOURCE_DATE_EPOCH"} +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS="-s -w -X main.version=$VERSION -X main.commit=$COMMIT -X main.date=$DATE"

log() { printf '== %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }

# ensure COMMAND PACKAGE...: true when COMMAND is there, installing the packages if allowed.
apt_updated=0
ensure() {
	local cmd=$1
	shift
	have "$cmd" && return 0
	if [ $quick = 1 ] || [ "$(id -u)" != 0 ] || ! have apt-get; then
		echo "release: $cmd is missing (Debian: apt-get install $*)" >&2
		return 1
	fi
	if [ $apt_updated = 0 ]; then apt-get update -q; apt_updated=1; fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" && have "$cmd"
}

ensure go golang-go || { echo "release: Go is needed" >&2; exit 1; }
for tool in "gcc gcc" "zip zip" "unzip unzip" "jq jq" "objdump binutils"; do
	# shellcheck disable=SC2086 # "command package" pairs
	ensure $tool || exit 1
done

if [ "$DIST" = "$ROOT/dist" ]; then
	rm -rf "$DIST"
elif [ -e "$DIST" ] && [ -n "$(ls -A "$DIST")" ]; then
	echo "release: $DIST is not empty" >&2
	exit 1
fi
mkdir -p "$DIST" "$CACHE"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# build GOOS GOARCH CC OUTPUT [go build flags...]
build() {
	local goos=$1 goarch=$2 cc=$3 out=$4
	shift 4
	log "build $goos/$goarch ($cc) -> $out"
	CGO_ENABLED=1 GOOS=$goos GOARCH=$goarch CC=$cc \
		go build -trimpath -ldflags "$LDFLAGS" "$@" -o "$out" ./cmd/signinlens
}

# smoke DIR PROGRAM PLATFORM [RUNNER...]: DIR holds the program (and its DLL); with an empty
# environment and no Go on PATH, it must report this build and analyze the bundled sample.
smoke() {
	local dir=$1 prog=$2 platform=$3
	shift 3
	log "smoke test $platform${*:+ (run by: $*)}"
	cp -r testdata/sample "$dir/sample"
	(
		cd "$dir"
		env -i PATH=/usr/bin:/bin HOME="$dir" "$@" "$prog" version --json >version.json
		jq -e --arg v "$VERSION" --arg c "$COMMIT" --arg p "$platform" --arg d "$DUCKDB_VERSION" \
			'.version == $v and .commit == $c and .platform == $p and .duckdb == $d' version.json >/dev/null ||
			{ echo "release: unexpected version output:" >&2; cat version.json >&2; exit 1; }
		env -i PATH=/usr/bin:/bin HOME="$dir" "$@" "$prog" analyze sample -o report.xlsx >analyze.txt
		grep -q '^sign-ins: 1,200 ' analyze.txt || { cat analyze.txt >&2; exit 1; }
		unzip -l report.xlsx xl/workbook.xml >/dev/null
		echo "   $(tr -d '\n ' <version.json); report.xlsx $(stat -c %s report.xlsx) bytes"
	)
}

# --- Linux amd64 --------------------------------------------------------------------------
build linux amd64 gcc "$DIST/signinlens-linux-amd64"
mkdir "$work/linux-amd64"
cp "$DIST/signinlens-linux-amd64" "$work/linux-amd64/"
smoke "$work/linux-amd64" ./signinlens-linux-amd64 linux/amd64

# --- Linux arm64 --------------------------------------------------------------------------
if [ $quick = 0 ]; then
	ensure aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu g++-aarch64-linux-gnu || exit 1
	build linux arm64 aarch64-linux-gnu-gcc "$DIST/signinlens-linux-arm64"
	if ensure qemu-aarch64 qemu-user; then
		mkdir "$work/linux-arm64"
		cp "$DIST/signinlens-linux-arm64" "$work/linux-arm64/"
		smoke "$work/linux-arm64" ./signinlens-linux-arm64 linux/arm64 \
			"$(command -v qemu-aarch64)" -L /usr/aarch64-linux-gnu
	else
		echo "release: qemu-user not available: linux-arm64 built but NOT run" >&2
	fi
fi

# --- Windows amd64 ------------------------------------------------------------------------
windows=0
if ensure x86_64-w64-mingw32-gcc-posix gcc-mingw-w64-x86-64-posix && ensure npm npm; then
	windows=1
elif [ $quick = 1 ]; then
	echo "release: skipping the Windows build (needs x86_64-w64-mingw32-gcc-posix and npm)" >&2
else
	exit 1
fi

if [ $windows = 1 ]; then
	tgz=$CACHE/$DUCKDB_NPM_TGZ
	if ! echo "$DUCKDB_NPM_SHA256  $tgz" | sha256sum -c --status 2>/dev/null; then
		log "fetch $DUCKDB_NPM"
		if ! (cd "$CACHE" && npm pack --silent "$DUCKDB_NPM" >/dev/null) && [ $quick = 1 ]; then
			echo "release: skipping the Windows build (npm could not fetch $DUCKDB_NPM)" >&2
			windows=0
		fi
	fi
fi
if [ $windows = 1 ]; then
	echo "$DUCKDB_NPM_SHA256  $tgz" | sha256sum -c --quiet
	mkdir "$work/duckdb"
	tar -xzf "$tgz" -C "$work/duckdb" --strip-components=1 package/duckdb.dll package/LICENSE
	echo "$DUCKDB_DLL_SHA256  $work/duckdb/duckdb.dll" | sha256sum -c --quiet

	# duckdb_use_lib: link against duckdb.dll instead of the static library (MinGW's ld links
	# to a DLL directly, no import library needed).
	CGO_LDFLAGS="-L$work/duckdb" build windows amd64 x86_64-w64-mingw32-gcc-posix \
		"$work/signinlens.exe" -tags duckdb_use_lib
fi

# --- Licences -----------------------------------------------------------------------------
# Every module recorded in the binaries' build info, Go itself, and DuckDB's duckdb.dll.
log "licences -> THIRD_PARTY_LICENSES.txt"
binaries=("$DIST/signinlens-linux-amd64")
[ -e "$DIST/signinlens-linux-arm64" ] && binaries+=("$DIST/signinlens-linux-arm64")
[ $windows = 1 ] && binaries+=("$work/signinlens.exe")
section() { # TITLE FILE...
	local title=$1
	shift
	printf '\n================================================================================\n%s\n================================================================================\n' "$title"
	for f in "$@"; do
		printf '\n--- %s ---\n\n' "$(basename "$f")"
		cat "$f"
	done
}
mapfile -t modules < <(go version -m "${binaries[@]}" | awk '$1 == "dep" { print $2 "@" $3 }' | sort -u)
{
	echo "Licences of the software inside signinlens $VERSION (Linux and Windows builds)."
	echo "signinlens links the Go modules below and DuckDB $DUCKDB_VERSION; the Windows archive"
	echo "carries DuckDB as duckdb.dll, taken from $DUCKDB_NPM."
	section "Go $(go env GOVERSION): standard library and runtime" "$(go env GOROOT)/LICENSE" "$(go env GOROOT)/PATENTS"
	[ $windows = 1 ] && section "DuckDB $DUCKDB_VERSION: duckdb.dll ($DUCKDB_NPM)" "$work/duckdb/LICENSE"
	go mod download -json "${modules[@]}" | jq -r '.Path + "@" + .Version + "\t" + .Dir' |
		while IFS=$'\t' read -r mod dir; do
			mapfile -t files < <(find "$dir" -maxdepth 1 -type f \( -iname 'licen[cs]e*' \
				-o -iname 'copying*' -o -iname 'notice*' -o -iname 'patents*' \) | sort)
			if [ ${#files[@]} = 0 ]; then echo "release: no licence file in $mod" >&2; exit 1; fi
			section "$mod" "${files[@]}"
		done
} >"$DIST/THIRD_PARTY_LICENSES.txt"

# --- Windows archive, checked and run -----------------------------------------------------
if [ $windows = 1 ]; then
	log "zip -> signinlens-windows-amd64.zip"
	mkdir "$work/zip"
	cp "$work/signinlens.exe" "$work/duckdb/duckdb.dll" "$DIST/THIRD_PARTY_LICENSES.txt" "$work/zip/"
	{ echo "signinlens $VERSION ($COMMIT, built $DATE)"; echo; cat scripts/windows-README.txt; } |
		sed 's/$/\r/' >"$work/zip/README.txt"
	touch -d "$DATE" "$work/zip/"*
	(cd "$work/zip" && zip -q -X -9 "$DIST/signinlens-windows-amd64.zip" \
		README.txt THIRD_PARTY_LICENSES.txt duckdb.dll signinlens.exe)
	scripts/check-windows-zip.sh "$DIST/signinlens-windows-amd64.zip"

	if [ $quick = 0 ]; then ensure wine wine wine64 || true; fi
	wine64=$(command -v wine64 || echo /usr/lib/wine/wine64)
	if [ $quick = 0 ] && [ -x "$wine64" ]; then
		# A throw-away prefix; Go's runtime loads bcryptprimitives.dll from System32 only,
		# so the test-only shim goes there, never next to the exe or into the archive.
		prefix=$work/wine
		shim=$prefix/drive_c/windows/system32/bcryptprimitives.dll
		WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" "$wine64" wineboot -i >/dev/null 2>&1
		x86_64-w64-mingw32-gcc-posix -shared -O2 -o "$shim" \
			scripts/wine/bcryptprimitives.c scripts/wine/bcryptprimitives.def -ladvapi32
		mkdir "$work/windows"
		unzip -q "$DIST/signinlens-windows-amd64.zip" -d "$work/windows"
		smoke "$work/windows" ./signinlens.exe windows/amd64 /usr/bin/env "WINEPREFIX=$prefix" \
			WINEDEBUG=-all "WINEDLLOVERRIDES=mscoree,mshtml=;bcryptprimitives=n" "$wine64"
	elif [ $quick = 0 ]; then
		echo "release: Wine not available: the Windows archive was built and checked but NOT run" >&2
	fi
fi

# --- SBOMs --------------------------------------------------------------------------------
if [ $quick = 0 ]; then
	cyclonedx=$CACHE/bin/cyclonedx-gomod
	if [ ! -x "$cyclonedx" ]; then
		log "install $CYCLONEDX_GOMOD"
		GOFLAGS='' GOBIN=$CACHE/bin go install "$CYCLONEDX_GOMOD"
	fi
	# sbom BINARY OUTPUT DUCKDB-COMPONENT-JSON: the modules the binary's build info records,
	# with detected licences, plus the DuckDB library.
	sbom() {
		log "SBOM -> $(basename "$2")"
		"$cyclonedx" bin -json -licenses -assert-licenses -version "$VERSION" -output "$work/sbom.json" "$1" 2>/dev/null
		jq --argjson duckdb "$3" '
			.metadata.component["bom-ref"] as $root
			| .components += [$duckdb]
			| .dependencies = [.dependencies[]? | if .ref == $root then .dependsOn += [$duckdb["bom-ref"]] else . end]
			  + [{ref: $duckdb["bom-ref"]}]' "$work/sbom.json" >"$2"
	}
	duckdb_static() { # GOARCH
		jq -n --arg v "${DUCKDB_VERSION#v}" --arg a "$1" '{
			type: "library", "bom-ref": ("pkg:github/duckdb/duckdb@v" + $v), name: "duckdb", version: $v,
			description: ("DuckDB, linked statically from github.com/duckdb/duckdb-go-bindings/lib/linux-" + $a),
			licenses: [{license: {id: "MIT"}}], purl: ("pkg:github/duckdb/duckdb@v" + $v)}'
	}
	sbom "$DIST/signinlens-linux-amd64" "$DIST/signinlens-linux-amd64.cdx.json" "$(duckdb_static amd64)"
	[ -e "$DIST/signinlens-linux-arm64" ] &&
		sbom "$DIST/signinlens-linux-arm64" "$DIST/signinlens-linux-arm64.cdx.json" "$(duckdb_static arm64)"
	if [ $windows = 1 ]; then
		sbom "$work/signinlens.exe" "$DIST/signinlens-windows-amd64.cdx.json" "$(jq -n \
			--arg v "${DUCKDB_VERSION#v}" --arg npm "$DUCKDB_NPM" --arg sha "$DUCKDB_DLL_SHA256" '{
			type: "library", "bom-ref": "duckdb.dll", name: "duckdb", version: $v,
			description: ("duckdb.dll, DuckDB'"'"'s Windows build from the npm package " + $npm),
			licenses: [{license: {id: "MIT"}}], hashes: [{alg: "SHA-256", content: $sha}],
			purl: ("pkg:npm/%40duckdb/node-bindings-win32-x64@" + ($npm | sub(".*@"; "")))}')"
	fi
fi

# --- Checksums ----------------------------------------------------------------------------
log "SHA256SUMS"
(cd "$DIST" && find . -maxdepth 1 -type f -printf '%f\n' | LC_ALL=C sort | xargs sha256sum >"$work/SHA256SUMS")
mv "$work/SHA256SUMS" "$DIST/SHA256SUMS"
(cd "$DIST" && sha256sum -c --quiet SHA256SUMS)
(cd "$DIST" && ls -l)
log "release $VERSION ($COMMIT): ok"
