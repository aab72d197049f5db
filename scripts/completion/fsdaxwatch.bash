# SPDX-License-Identifier: GPL-2.0
# bash completion for fsdaxwatch(8). Installed as
# $(PREFIX)/share/bash-completion/completions/fsdaxwatch; works with or
# without the bash-completion package (it uses none of its helpers).
#
# Completes: the subcommands (first word), the options each command takes,
# the values of --attach and --format, paths for -m/--mount, --btf,
# --ready-file, -o/--output, --perfetto, --metrics-file and report's FILE,
# process ids for -p/--pid and running task names for -c/--comm; also
# --opt=VALUE.

_fsdaxwatch_watch_options='-a --attach -m --mount -i --inode -p --pid -c --comm -s --strict --require -j --json --ready-file --btf -v --verbose --interval --count --format --metrics-file --all-violations -h --help -V --version'
_fsdaxwatch_record_options="-o --output $_fsdaxwatch_watch_options"
_fsdaxwatch_doctor_options='-j --json --btf -v --verbose -h --help'
_fsdaxwatch_report_options='-j --json -s --strict --require --perfetto --all-violations -v --verbose -h --help'
_fsdaxwatch_commands='doctor record report'

# Adds matches of "$2" among the words of "$1" to COMPREPLY.
_fsdaxwatch_words()
{
	mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -W "$1" -- "$2")
}

# Adds the paths that start with "$1" to COMPREPLY.
_fsdaxwatch_paths()
{
	compopt -o filenames 2>/dev/null
	mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$1")
}

# Completes "$2" as the value of option "$1"; returns 1 if $1 takes none.
_fsdaxwatch_value()
{
	local opt=$1 cur=$2 p
	case $opt in
	-a | --attach)
		_fsdaxwatch_words 'auto fentry kprobe tracepoint' "$cur"
		;;
	--format)
		_fsdaxwatch_words 'text json openmetrics' "$cur"
		;;
	-m | --mount | --btf | --ready-file | -o | --output | --perfetto | --metrics-file)
		_fsdaxwatch_paths "$cur"
		;;
	-p | --pid)
		local pids=()
		for p in /proc/[0-9]*; do
			pids+=("${p#/proc/}")
		done
		_fsdaxwatch_words "${pids[*]}" "$cur"
		;;
	-c | --comm)
		local comms
		comms=$(cat /proc/[0-9]*/comm 2>/dev/null | grep -v ' ' | sort -u)
		_fsdaxwatch_words "$comms" "$cur"
		;;
	--require)
		_fsdaxwatch_words 'INV-1 INV-2 INV-3 INV-4 INV-5 all' "$cur"
		;;
	-i | --inode | --interval | --count)
		: # a number: nothing to offer
		;;
	*)
		return 1
		;;
	esac
	return 0
}

_fsdaxwatch()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD - 1]:-}
	local prev2=${COMP_WORDS[COMP_CWORD - 2]:-}
	local i cmd=watch opts w args=0
	COMPREPLY=()

	# "--attach=kp": bash splits at '=' (COMP_WORDBREAKS), giving
	# "--attach" "=" "kp" (or "--attach" "=" with an empty cur).
	if [[ $cur == = ]]; then
		_fsdaxwatch_value "$prev" "" && return 0
	elif [[ $prev == = && $prev2 == --* ]]; then
		_fsdaxwatch_value "$prev2" "$cur" && return 0
	elif [[ $cur == --*=* ]]; then
		# COMP_WORDBREAKS without '=': complete the value, keep the prefix.
		local opt=${cur%%=*} val=${cur#*=}
		if _fsdaxwatch_value "$opt" "$val"; then
			for i in "${!COMPREPLY[@]}"; do
				COMPREPLY[i]="$opt=${COMPREPLY[i]}"
			done
			return 0
		fi
	fi

	if ((COMP_CWORD > 1)) && _fsdaxwatch_value "$prev" "$cur"; then
		return 0
	fi

	# The subcommand is the first word, if it is one.
	if ((COMP_CWORD > 1)); then
		case ${COMP_WORDS[1]} in
		doctor | record | report) cmd=${COMP_WORDS[1]} ;;
		esac
	fi
	case $cmd in
	watch) opts=$_fsdaxwatch_watch_options ;;
	record) opts=$_fsdaxwatch_record_options ;;
	doctor) opts=$_fsdaxwatch_doctor_options ;;
	report) opts=$_fsdaxwatch_report_options ;;
	esac

	if [[ $cur == -* ]]; then
		_fsdaxwatch_words "$opts" "$cur"
	elif ((COMP_CWORD == 1)); then
		# The subcommand; a DURATION (a number) is not completed.
		_fsdaxwatch_words "$_fsdaxwatch_commands" "$cur"
	elif [[ $cmd == report ]]; then
		# report's FILE, once: count the arguments before this word that
		# are neither options nor option values.
		for ((i = 2; i < COMP_CWORD; i++)); do
			w=${COMP_WORDS[i]}
			if [[ $w == --perfetto ]]; then
				((i++))
			elif [[ $w != -* && $w != = && ${COMP_WORDS[i - 1]} != = ]]; then
				((args++))
			fi
		done
		((args == 0)) && _fsdaxwatch_paths "$cur"
	fi
	return 0
} &&
	complete -F _fsdaxwatch fsdaxwatch
