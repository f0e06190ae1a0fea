#!/usr/bin/env bash
# check-windows-zip.sh ZIP: the Windows archive holds exactly signinlens.exe, duckdb.dll,
# README.txt and THIRD_PARTY_LICENSES.txt, and neither executable needs a DLL that a plain
# Windows 10 or 11 does not have (no MinGW runtime, no Visual C++ redistributable).
set -euo pipefail

zip=${1:?usage: check-windows-zip.sh ZIP}
fail() { echo "check-windows-zip: $*" >&2; exit 1; }

want=$'README.txt\nTHIRD_PARTY_LICENSES.txt\nduckdb.dll\nsigninlens.exe'
got=$(unzip -Z1 "$zip" | LC_ALL=C sort)
[ "$got" = "$want" ] || fail "$zip holds:"$'\n'"$got"$'\n'"expected exactly:"$'\n'"$want"

# DLLs every Windows 10/11 installation has in System32 (compared case-insensitively).
system_dlls='^(kernel32|ntdll|advapi32|msvcrt|ucrtbase|ws2_32|rstrtmgr|user32|shell32|ole32|oleaut32|bcrypt|crypt32|secur32|userenv|iphlpapi|dnsapi|netapi32|winmm|shlwapi|version|powrprof|api-ms-win-[a-z0-9-]+)\.dll$'

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
unzip -q "$zip" signinlens.exe duckdb.dll -d "$dir"

imports() { objdump -p "$1" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr '[:upper:]' '[:lower:]' | sort -u; }

exe_imports=$(imports "$dir/signinlens.exe")
grep -qx 'duckdb.dll' <<<"$exe_imports" || fail "signinlens.exe does not import duckdb.dll: $exe_imports"
bad=$(grep -vx 'duckdb.dll' <<<"$exe_imports" | grep -Ev "$system_dlls" || true)
[ -z "$bad" ] || fail "signinlens.exe imports DLLs that are not part of Windows: $bad"

dll_imports=$(imports "$dir/duckdb.dll")
bad=$(grep -Ev "$system_dlls" <<<"$dll_imports" || true)
[ -z "$bad" ] || fail "duckdb.dll imports DLLs that are not part of Windows: $bad"

echo "check-windows-zip: ok: $(basename "$zip"): signinlens.exe imports $(echo "$exe_imports" | paste -sd' '); duckdb.dll imports $(echo "$dll_imports" | paste -sd' ')"
