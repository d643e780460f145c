#!/bin/sh
# symbols.sh: the shared library exports the public bpfc_* names and
# nothing else (the stages' internal symbols stay inside).
set -u
lib=${top_builddir:-.}/.libs/libbpfc.so
[ -f "$lib" ] || { echo "SKIP: $lib not built (--disable-shared?)"; exit 77; }
command -v nm >/dev/null || { echo "SKIP: nm not installed"; exit 77; }
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVWiu]$/ { print $3 }')
[ -n "$exported" ] || { echo "FAIL: no exported symbols in $lib"; exit 1; }
leaks=$(printf '%s\n' "$exported" | grep -v '^bpfc_' || true)
if [ -n "$leaks" ]; then
	echo "FAIL: $lib exports symbols outside the bpfc_ namespace:"
	printf '  %s\n' $leaks
	exit 1
fi
# Every function the header declares is exported.
header=${top_srcdir:-.}/include/bpfc.h
missing=0
for f in $(sed -n 's/^[a-z].*[ *]\(bpfc_[a-z0-9_]*\)(.*/\1/p' "$header"); do
	printf '%s\n' "$exported" | grep -qx "$f" || { echo "FAIL: $f is declared but not exported"; missing=1; }
done
[ $missing -eq 0 ] || exit 1
echo "PASS: $(printf '%s\n' "$exported" | wc -l) symbols exported, all bpfc_*"
