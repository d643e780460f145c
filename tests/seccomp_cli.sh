#!/bin/sh
# tests/seccomp_cli.sh: `bpfc --seccomp` end to end.
#
#   (a) the program -o writes (raw struct sock_filter, decoded here by od)
#       is the one -ddd lists, number for number; -d, -dd and -ddd read
#       back by `bpfc --asm` list the same program again; standard input
#       gives what the file gives;
#   (b) --stats: its instruction count is the listing's length and the
#       file's size / 8; for a text policy on x86_64 every figure is
#       recomputed here: an awk interpreter runs the -o program for each
#       syscall number of the policy (numbers, errnos and SECCOMP_RET_*
#       from the system headers through a C program) and the actions must
#       be the policy's, read by hand from its text;
#   (c) errors: FILE:LINE:COL and a caret under the offending token
#       (columns computed here from the input) for a text policy and a
#       JSON file; exit status 2 for usage errors, 1 for bad input; -o
#       leaves no file behind on failure;
#   (d) --exec under the running kernel: a denied mkdir fails with the
#       policy's errno, a killed uname dies of SIGSYS (status 159), Docker's
#       profile runs a shell; skipped (77) where seccomp is unavailable.
#
# Environment (from the automake harness): BPFC, top_srcdir, top_builddir,
# BPFC_SHARED.  Exit 0 pass, 1 fail, 77 skip.  Reproduce one run with
#   make check TESTS=tests/seccomp_cli.sh   (log in tests/seccomp_cli.log)

# shellcheck disable=SC2015 # `test && pass || fail`: pass always succeeds
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${BPFC:=$top_builddir/bpfc}"
: "${BPFC_SHARED:=$top_srcdir/../shared}"

[ -x "$BPFC" ] || { echo "FAIL: $BPFC is not an executable"; exit 1; }
docker=$BPFC_SHARED/seccomp/docker-default.json
[ -r "$docker" ] || { echo "SKIP: $docker is missing (the shared test data)"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bpfc-seccomp.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }

# sc ARGS...: bpfc --seccomp ARGS; stdout, stderr in $tmp/out, $tmp/err,
# the status in $rc.  A sanitizer report fails whatever the status.
sc() {
	"$BPFC" --seccomp "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if grep -qE 'Sanitizer|runtime error:' "$tmp/err"; then
		fail "bpfc --seccomp $*: sanitizer report"
		head -n 20 "$tmp/err" | sed 's/^/    /'
	fi
}
# status WANT WHAT
status() {
	[ "$rc" -eq "$1" ] && pass || { fail "$2: exit status $rc, want $1"; sed 's/^/    /' "$tmp/err" | head -n 5; }
}
# stderr_has TEXT WHAT
stderr_has() {
	grep -qF -- "$1" "$tmp/err" && pass || { fail "$2: stderr lacks '$1'"; sed 's/^/    /' "$tmp/err" | head -n 5; }
}
# same FILE1 FILE2 WHAT
same() {
	cmp -s "$1" "$2" && pass || { fail "$3"; diff "$1" "$2" | head -n 10 | sed 's/^/    /'; }
}

# decode FILE: raw struct sock_filter records (host order) as -ddd lines.
decode() {
	od -An -v -w8 -t u2 -t u1 -t u4 "$1" | awk '
		NR % 3 == 1 { code = $1 }
		NR % 3 == 2 { jt = $3; jf = $4 }
		NR % 3 == 0 { print code, jt, jf, $2 }'
}

text_policy='arch x86_64
default errno EPERM
allow read write close fstat mmap munmap brk exit_group getpid
allow openat if arg2 == 0
errno EACCES open
kill_process ptrace
allow socket if arg0 == 2
'
printf '%s' "$text_policy" >"$tmp/policy.txt"

# ---- (a) listings and -o ----------------------------------------------------
for case in "text:$tmp/policy.txt" "docker:$docker" "docker-x86_64:$docker --arch x86_64 --kernel 6.1" \
	"docker-admin:$docker --caps sys_admin,CAP_SYS_PTRACE,kill --kernel 5.4"; do
	name=${case%%:*}
	args=${case#*:}
	# shellcheck disable=SC2086 # the arguments are split on purpose
	sc $args -ddd -o "$tmp/$name.bpf"
	status 0 "$name: -ddd -o"
	cp "$tmp/out" "$tmp/$name.ddd"
	size=$(wc -c <"$tmp/$name.bpf")
	n=$(head -n 1 "$tmp/$name.ddd")
	[ "$size" -eq $((n * 8)) ] && pass || fail "$name: -o wrote $size bytes for $n instructions"
	decode "$tmp/$name.bpf" >"$tmp/$name.od"
	tail -n +2 "$tmp/$name.ddd" >"$tmp/$name.ddd-body"
	same "$tmp/$name.od" "$tmp/$name.ddd-body" "$name: -o's bytes are not the -ddd listing"
	for d in -d -dd -ddd; do
		# shellcheck disable=SC2086
		sc $args $d
		status 0 "$name: $d"
		cp "$tmp/out" "$tmp/$name$d"
		"$BPFC" --asm "$tmp/$name$d" -ddd >"$tmp/asm.out" 2>"$tmp/err" ||
			{ fail "$name: bpfc --asm cannot read the $d listing"; sed 's/^/    /' "$tmp/err" | head -n 3; }
		same "$tmp/asm.out" "$tmp/$name.ddd" "$name: $d read back by --asm is another program"
	done
	# the default output is -d
	# shellcheck disable=SC2086
	sc $args
	same "$tmp/out" "$tmp/$name-d" "$name: the default output is not -d's"
done
sc - <"$tmp/policy.txt"
same "$tmp/out" "$tmp/text-d" "standard input gives another program than the file"
sc "$docker" --format=json -ddd
same "$tmp/out" "$tmp/docker.ddd" "--format=json changes the program"

# ---- (b) --stats ------------------------------------------------------------
for name in text docker docker-x86_64; do
	case $name in
	text) args=$tmp/policy.txt ;;
	docker) args=$docker ;;
	*) args="$docker --arch x86_64 --kernel 6.1" ;;
	esac
	# shellcheck disable=SC2086
	sc $args --stats
	status 0 "$name: --stats"
	cp "$tmp/out" "$tmp/$name.stats"
	want=$(head -n 1 "$tmp/$name.ddd")
	got=$(sed -n 's/^instructions: //p' "$tmp/$name.stats")
	[ "$got" = "$want" ] && pass || fail "$name: --stats says '$got' instructions, the listing has $want"
	[ "$(wc -l <"$tmp/$name-d")" -eq "$want" ] && pass || fail "$name: -d has not $want lines"
	# every row: min <= avg <= max <= length; allowed <= named; cacheable <= allowed
	rows=$(awk -v n="$want" '$1 ~ /^[a-z0-9_]+$/ && NF == 10 && $2 ~ /^[0-9]+$/ {
		rows++
		if (!($3 <= $4 && $4 <= $5 && $5 <= n && $6 <= $2 && $10 <= $6 &&
		      ($6 == 0 || ($7 <= $8 && $8 <= $9 && $9 <= n))))
			print "bad row: " $0 > "/dev/stderr"
	} END { print rows + 0 }' "$tmp/$name.stats" 2>"$tmp/rows.err")
	[ -s "$tmp/rows.err" ] && fail "$name: inconsistent --stats: $(cat "$tmp/rows.err")" || pass
	[ "$rows" -ge 1 ] && pass || fail "$name: --stats has no architecture rows"
done
rows=$(awk 'NF == 10 && $2 ~ /^[0-9]+$/' "$tmp/docker-x86_64.stats" | wc -l)
[ "$rows" -eq 1 ] && pass || fail "--arch x86_64: $rows rows in --stats, want 1"

# The text policy's figures recomputed: the kernel's constants from the
# headers, the actions from the policy's text, the counts by an awk
# interpreter of the -o program (arguments 0, as --stats counts).
cc=${CC:-cc}
names="read write close fstat mmap munmap brk exit_group getpid openat open ptrace socket"
if [ "$(uname -m)" = x86_64 ] && command -v "$cc" >/dev/null 2>&1; then
	{
		printf '#include <errno.h>\n#include <linux/seccomp.h>\n#include <stdio.h>\n'
		printf '#include <asm/unistd_64.h>\nint main(void) {\n'
		for s in $names; do printf '\tprintf("nr %s %%u\\n", (unsigned)__NR_%s);\n' "$s" "$s"; done
		printf '\tprintf("allow %%u\\n", (unsigned)SECCOMP_RET_ALLOW);\n'
		printf '\tprintf("eperm %%u\\n", (unsigned)(SECCOMP_RET_ERRNO | EPERM));\n'
		printf '\tprintf("eacces %%u\\n", (unsigned)(SECCOMP_RET_ERRNO | EACCES));\n'
		printf '\tprintf("kill %%u\\n", (unsigned)SECCOMP_RET_KILL_PROCESS);\n'
		printf '\treturn 0;\n}\n'
	} >"$tmp/consts.c"
	if $cc -o "$tmp/consts" "$tmp/consts.c" 2>"$tmp/cc.err" && "$tmp/consts" >"$tmp/consts.txt"; then
		# the policy's meaning at arguments 0: openat's arg2 == 0 holds,
		# socket's arg0 == 2 does not
		awk '$1 == "nr" {
			a = "allow"
			if ($2 == "open") a = "eacces"
			if ($2 == "ptrace") a = "kill"
			if ($2 == "socket") a = "eperm"
			print $2, $3, a
		}' "$tmp/consts.txt" >"$tmp/calls.txt"
		awk -v arch=3221225534 '
		function band(a, b,   r, bit) {
			r = 0; bit = 1
			while (a > 0 && b > 0) {
				if (a % 2 == 1 && b % 2 == 1) r += bit
				a = int(a / 2); b = int(b / 2); bit *= 2
			}
			return r
		}
		function run(nr,   pc, A, c) {
			pc = 0; A = 0; steps = 0
			while (pc < n) {
				steps++; c = code[pc]
				if (c == 32) A = k[pc] == 0 ? nr : k[pc] == 4 ? arch : 0
				else if (c == 84) A = band(A, k[pc])
				else if (c == 5) pc += k[pc]
				else if (c == 21) pc += A == k[pc] ? jt[pc] : jf[pc]
				else if (c == 37) pc += A > k[pc] ? jt[pc] : jf[pc]
				else if (c == 53) pc += A >= k[pc] ? jt[pc] : jf[pc]
				else if (c == 69) pc += band(A, k[pc]) != 0 ? jt[pc] : jf[pc]
				else if (c == 6) return k[pc]
				else { print "opcode " c " not modelled" > "/dev/stderr"; exit 3 }
				pc++
			}
			print "ran off the end" > "/dev/stderr"; exit 3
		}
		BEGIN { n = 0 }
		FILENAME == ARGV[1] { code[n] = $1; jt[n] = $2; jf[n] = $3; k[n] = $4; n++; next }
		FILENAME == ARGV[2] { val[$1] = $2; next }
		{
			r = run($2)
			if (r != val[$3]) print "action of " $1 ": " r ", the policy says " $3 " = " val[$3] > "/dev/stderr"
			all++; sum += steps
			if (all == 1 || steps < mn) mn = steps
			if (steps > mx) mx = steps
			if (r == val["allow"]) {
				al++; asum += steps
				if (al == 1 || steps < amn) amn = steps
				if (steps > amx) amx = steps
			}
		}
		END { printf "x86_64 %d %d %.2f %d %d %d %.2f %d 9\n", all, mn, sum / all, mx, al, amn, asum / al, amx }
		' "$tmp/text.od" "$tmp/consts.txt" "$tmp/calls.txt" >"$tmp/want.row" 2>"$tmp/awk.err"
		[ -s "$tmp/awk.err" ] && fail "text policy under the awk interpreter: $(cat "$tmp/awk.err")" || pass
		awk 'NF == 10 && $1 == "x86_64"' "$tmp/text.stats" | tr -s ' ' >"$tmp/got.row"
		same "$tmp/want.row" "$tmp/got.row" "text policy: --stats row differs from the recomputed one (want, got)"
	else
		fail "cannot build the constants program: $(head -n 3 "$tmp/cc.err")"
	fi
else
	echo "note: the recomputed --stats check needs an x86_64 host and a C compiler"
fi

# ---- (c) errors ---------------------------------------------------------------
# caret_at FILE LINE TOKEN WHAT: stderr names FILE:LINE:COL (COL: where
# TOKEN starts in that line) and draws ^ under that column.
caret_at() {
	line=$(sed -n "$2p" "$1")
	col=$(awk -v s="$line" -v t="$3" 'BEGIN { print index(s, t) }')
	stderr_has "$1:$2:$col: error:" "$4: position"
	caret=$(sed -n '3p' "$tmp/err")
	want=$(printf '%*s^' $((col + 1)) '')
	[ "${caret%%~*}" = "$want" ] && pass || fail "$4: caret line '$caret', want the ^ at column $col"
}
printf 'default allow\n# a comment\nallow read if arg7 == 1\n' >"$tmp/bad.txt"
sc "$tmp/bad.txt"
status 1 "bad text policy"
caret_at "$tmp/bad.txt" 3 arg7 "bad text policy"
printf 'default allow\nerrno EPERM mkdir\nallow nosuchcall_x read\n' >"$tmp/unknown.txt"
sc "$tmp/unknown.txt"
status 1 "unknown syscall name"
caret_at "$tmp/unknown.txt" 3 nosuchcall_x "unknown syscall name"
sc "$tmp/unknown.txt" --ignore-unknown
status 0 "--ignore-unknown"
printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [ }\n}\n' >"$tmp/bad.json"
sc "$tmp/bad.json"
status 1 "bad JSON"
caret_at "$tmp/bad.json" 3 "}" "bad JSON"
printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [ { "names": ["read"], "action": "SCMP_ACT_NOPE" } ]\n}\n' >"$tmp/badact.json"
sc "$tmp/badact.json"
status 1 "JSON with an unknown action"
caret_at "$tmp/badact.json" 3 "SCMP_ACT_NOPE" "JSON with an unknown action"
sc "$tmp/policy.txt" --format=json
status 1 "--format=json on a text policy"
sc "$docker" --format=text
status 1 "--format=text on a JSON profile"
sc "$tmp/nonexistent"
status 1 "a missing file"
stderr_has "$tmp/nonexistent:" "a missing file"
sc "$tmp"
status 1 "a directory"

sc
status 2 "--seccomp without a file"
for bad in "--format=yaml" "--caps CAP_NOPE" "--caps read,," "--kernel 6" "--kernel x.1" \
	"--arch vax" "--arch x86_64,,x86" "--exec" "extra-operand" "-o - -d" "-o - --stats" \
	"--bogus" "-q" "-o"; do
	# shellcheck disable=SC2086
	sc "$tmp/policy.txt" $bad
	status 2 "usage error '$bad'"
	stderr_has "bpfc: error: " "usage error '$bad'"
done
sc "$tmp/policy.txt" --caps none --kernel 5.10.3 --arch amd64,SCMP_ARCH_X86 -d
status 0 "--caps none, --kernel X.Y.Z, Go and SCMP_ARCH_ names"
sc --help
status 0 "--seccomp --help"
grep -q -- '--exec' "$tmp/out" && pass || fail "--seccomp --help does not describe --exec"

# -o: complete or nothing, no temporary file left
sc "$tmp/policy.txt" -o "$tmp/nodir/x.bpf"
status 1 "-o into a missing directory"
mkdir "$tmp/odir" && echo old >"$tmp/odir/p.bpf"
sc "$tmp/policy.txt" -o "$tmp/odir/p.bpf"
status 0 "-o over an existing file"
same "$tmp/odir/p.bpf" "$tmp/text.bpf" "-o over an existing file"
[ "$(ls "$tmp/odir")" = p.bpf ] && pass || fail "-o left files behind: $(ls "$tmp/odir")"
sc "$tmp/policy.txt" -o - >/dev/null
"$BPFC" --seccomp "$tmp/policy.txt" -o - >"$tmp/stdout.bpf" 2>/dev/null
same "$tmp/stdout.bpf" "$tmp/text.bpf" "-o - writes another program"

# ---- (d) --exec under the kernel -------------------------------------------------
printf 'default allow\n' >"$tmp/allow.txt"
sc "$tmp/allow.txt" --exec -- true
if [ "$rc" -ne 0 ]; then
	if grep -q 'cannot install the seccomp filter\|no_new_privs' "$tmp/err"; then
		echo "SKIP (exec part): seccomp filters are unavailable here: $(cat "$tmp/err")"
		skipped=1
	else
		fail "--exec true under 'default allow': status $rc"
	fi
fi
if [ "${skipped:-0}" -eq 0 ]; then
	# the policy allows all that sh and coreutils need, denies mkdir with
	# EROFS and kills uname
	printf 'default allow\nerrno EROFS mkdir mkdirat\nkill_process uname\n' >"$tmp/deny.txt"
	mkdir "$tmp/ok" 2>/dev/null && pass || fail "control: mkdir fails without a filter"
	sc "$tmp/deny.txt" --exec -- mkdir "$tmp/denied"
	[ "$rc" -ne 0 ] && pass || fail "--exec mkdir: status 0 under errno EROFS mkdir"
	stderr_has "Read-only file system" "--exec mkdir: the policy's errno"
	[ ! -e "$tmp/denied" ] && pass || fail "--exec mkdir: the directory was made"
	sc "$tmp/deny.txt" --exec -- uname
	status 159 "--exec uname under kill_process uname (SIGSYS: 128 + 31)"
	sc "$tmp/deny.txt" --exec -- sh -c 'uname; echo "status $?"; mkdir "$1" || echo mkdir-denied' sh "$tmp/sub"
	status 0 "--exec sh -c under the policy"
	grep -qx "status 159" "$tmp/out" && pass || fail "sh under the filter: uname did not die of SIGSYS: $(cat "$tmp/out")"
	grep -qx "mkdir-denied" "$tmp/out" && pass || fail "sh under the filter: mkdir was not denied"
	# the filter stays across exec and fork: the child shell inherits it
	sc "$tmp/deny.txt" --exec -- sh -c 'grep "^Seccomp:" /proc/self/status'
	grep -q '^Seccomp:[[:space:]]*2' "$tmp/out" && pass || fail "the command does not run in seccomp filter mode: $(cat "$tmp/out")"
	sc "$tmp/deny.txt" --exec -- "$tmp/no-such-command"
	status 127 "--exec of a missing command"
	sc "$docker" --exec -- sh -c 'echo hello from docker-default'
	status 0 "--exec under Docker's profile"
	grep -qx "hello from docker-default" "$tmp/out" && pass || fail "--exec under Docker's profile: no output"
	if command -v unshare >/dev/null 2>&1; then
		# unshare(2) needs CAP_SYS_ADMIN in Docker's profile: EPERM here
		sc "$docker" --exec -- unshare --user true
		[ "$rc" -ne 0 ] && grep -q "Operation not permitted" "$tmp/err" && pass ||
			fail "unshare under Docker's profile: status $rc, $(head -n 2 "$tmp/err")"
		sc "$docker" --caps CAP_SYS_ADMIN --exec -- unshare --user true
		status 0 "unshare under Docker's profile with --caps CAP_SYS_ADMIN"
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
