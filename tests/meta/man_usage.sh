#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Meta-test: the man pages and the programs' usage texts agree.
#  - every command of `attestd help` / `attest help` appears in the page of
#    its program (man/attestd.8, man/attest.1) as `.Cm WORDS` (or the
#    first word with its second on the same line);
#  - every option (--long or -o) of those usage texts and of each
#    `PROG CMD --help` (the usage a command prints on an unknown option)
#    appears in its program's pages as `.Fl`;
#  - the other way round: every `.Fl` of a page is an option of some usage
#    text of its program (attestd.conf.5 counts as attestd's), and every
#    word of a `.Cm` is a word of one of its program's commands (or a
#    subcommand word of a usage text, e.g. `sim sgx quote`);
#  - `mandoc -Tlint -W warning` reports nothing (when mandoc is there;
#    scripts/deps.sh installs it).
# Prints "N passed, M failed".
set -u
ATT_SRC_DIR=${ATT_SRC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
ATT_BIN_DIR=${ATT_BIN_DIR:-$ATT_SRC_DIR/build}
MAN=$ATT_SRC_DIR/man
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }
TMP=$(mktemp -d /tmp/man-usage-XXXXXX)
trap 'rm -rf "$TMP"' EXIT

for b in attestd attest; do
	if [ ! -x "$ATT_BIN_DIR/$b" ]; then
		echo "FAIL (cannot run): $ATT_BIN_DIR/$b not built"
		echo "0 passed, 1 failed"
		exit 1
	fi
done

# options FILE: the options named in a usage text, one a line. Brace
# forms such as --{tcb-info,pck-crl}-{issue-date,next-update} are
# expanded as the shell would.
options() {
	local w
	grep -oE -- '(^|[^a-zA-Z0-9_-])--?[a-z{][a-z0-9,{}-]*' "$1" |
		sed -E 's/^[^-]*//' | while read -r w; do
		case "$w" in
		*"{"*) eval "printf '%s\n' $w" ;;
		--*) printf '%s\n' "$w" ;;
		-?) printf '%s\n' "$w" ;; # single-letter options only
		esac
	done | sed -E 's/[,.]+$//' | grep -E '^--?[a-z]' | sort -u
}

# man_flags PAGE...: the .Fl arguments of pages, as options ("\-url" ->
# "--url", "o" -> "-o").
man_flags() {
	cat "$@" | grep '^\.' | sed 's/^\.//' | tr -s ' \t' '\n\n' |
		awk 'p { print; p = 0 } $0 == "Fl" { p = 1 }' |
		sed -e 's/\\-/-/g' -e 's/^/-/' -e 's/[,.]$//' | sort -u
}
# man_cm PAGE...: the words of every .Cm, one a line.
man_cm() {
	cat "$@" | grep '^\.' | sed 's/^\.//' | tr -s ' \t' '\n\n' |
		awk '/^[A-Z][a-z][a-z]?$/ { p = 0 } p { print } $0 == "Cm" { p = 1 }' |
		sed 's/[,.]$//' | grep -E '^[a-z]' | sort -u
}
# man_cm_lines PAGE...: each Cm run on a line as one string ("policy set").
man_cm_lines() {
	cat "$@" | grep '^\.' | sed 's/^\.//' | awk '{
		s = ""; p = 0
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^[A-Z][a-z][a-z]?$/) {
				if (s != "") print s
				s = ""; p = ($i == "Cm"); continue
			}
			if (p) s = (s == "" ? $i : s " " $i)
		}
		if (s != "") print s
	}' | sed 's/[,.]$//' | sort -u
}

check_prog() {
	local prog=$1
	shift
	local pages=("$@") bin=$ATT_BIN_DIR/$prog c o w
	"$bin" help >"$TMP/$prog.help" 2>&1 || not_ok "$prog help exits 0"
	sed -n 's/^  \([a-z][a-z0-9-]*\( [a-z][a-z0-9-]*\)\{0,1\}\)  .*/\1/p' \
		"$TMP/$prog.help" >"$TMP/$prog.cmds"
	[ -s "$TMP/$prog.cmds" ] || not_ok "$prog help lists commands"
	cp "$TMP/$prog.help" "$TMP/$prog.usage"
	while read -r c; do
		# shellcheck disable=SC2086 # c is one or two words
		"$bin" $c --help </dev/null >>"$TMP/$prog.usage" 2>&1
	done <"$TMP/$prog.cmds"
	options "$TMP/$prog.usage" | grep -vxE -- '--help|-h' >"$TMP/$prog.opts"
	man_flags "${pages[@]}" >"$TMP/$prog.fl"
	man_cm_lines "${pages[@]}" >"$TMP/$prog.cmlines"
	man_cm "${pages[@]}" >"$TMP/$prog.cm"

	# every command in the pages
	while read -r c; do
		if grep -qxF -- "$c" "$TMP/$prog.cmlines" ||
			grep -qE -- "^$c( |$)" "$TMP/$prog.cmlines"; then
			ok
		else
			not_ok "$prog: command '$c' is not in ${pages[*]}"
		fi
	done <"$TMP/$prog.cmds"
	# every option in the pages
	while read -r o; do
		if grep -qxF -- "$o" "$TMP/$prog.fl"; then ok; else
			not_ok "$prog: option '$o' of the usage texts is not in ${pages[*]}"
		fi
	done <"$TMP/$prog.opts"
	# every .Fl of the pages in a usage text
	while read -r o; do
		if grep -qxF -- "$o" "$TMP/$prog.opts" || [ "$o" = --help ]; then ok; else
			not_ok "$prog: .Fl $o of ${pages[*]} is in no usage text"
		fi
	done <"$TMP/$prog.fl"
	# every .Cm word of the pages in a command or a usage text
	{ tr ' ' '\n' <"$TMP/$prog.cmds"; echo help; } | sort -u >"$TMP/$prog.words"
	while read -r w; do
		if grep -qxF -- "$w" "$TMP/$prog.words" ||
			grep -qE -- "(^|[ |])$w( |$)" "$TMP/$prog.usage"; then ok; else
			not_ok "$prog: .Cm $w of ${pages[*]} is no command word"
		fi
	done <"$TMP/$prog.cm"
}

check_prog attestd "$MAN/attestd.8" "$MAN/attestd.conf.5"
check_prog attest "$MAN/attest.1"

# the check itself must be able to fail: an option the pages lack
printf 'usage: x --no-such-option-here\n' >"$TMP/fake"
if options "$TMP/fake" | grep -qxF -- --no-such-option-here &&
	! grep -qxF -- --no-such-option-here "$TMP/attest.fl"; then ok; else
	not_ok "the option extraction sees a usage option the pages lack"
fi

# make install puts them in share/man/man{1,5,8} (the install rules of
# CMakeLists.txt; a sanitizer or fuzz build has none)
if [ -f "$ATT_BIN_DIR/cmake_install.cmake" ] &&
	grep -q 'man8' "$ATT_BIN_DIR/cmake_install.cmake"; then
	if cmake --install "$ATT_BIN_DIR" --prefix "$TMP/prefix" >"$TMP/install.log" 2>&1; then
		for p in man1/attest.1 man5/attestd.conf.5 man8/attestd.8; do
			if cmp -s "$TMP/prefix/share/man/$p" "$MAN/${p#*/}"; then ok; else
				not_ok "cmake --install: share/man/$p missing or not man/${p#*/}"
			fi
		done
	else
		not_ok "cmake --install $ATT_BIN_DIR: $(tail -3 "$TMP/install.log")"
	fi
fi

if command -v mandoc >/dev/null; then
	for p in "$MAN"/*.[0-9]; do
		out=$(mandoc -Tlint -W warning "$p" 2>&1)
		if [ -z "$out" ]; then ok; else not_ok "mandoc -Tlint $p: $out"; fi
	done
else
	echo "# mandoc not installed (scripts/deps.sh installs it): lint skipped"
fi
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
