# bash completion for hull. Commands and flags come from hull's own --help
# (so they follow the binary), container ids from `hull list -q` (with the
# --root given on the command line, if any).
_hull_help_words() { # $1: hull, $2...: command path; prints commands or flags
  local hull="$1"; shift
  "$hull" "$@" --help 2>/dev/null | awk -v want="$WANT" '
    /^Subcommands:/ { s = 1; next } /^[A-Z][a-z]+:/ { s = 0 }
    want == "cmds" && s && /^  [a-z]/ { l = $0; sub(/^ +/, "", l); sub(/  .*/, "", l); gsub(/,/, " ", l); n = split(l, a, " "); for (i = 1; i <= n; i++) print a[i] }
    want == "flags" && /^  -/ { n = split($1, f, ","); for (i = 1; i <= n; i++) { sub(/[ =].*/, "", f[i]); print f[i] } }'
}
_hull() {
  local cur prev hull=${COMP_WORDS[0]} cmd="" root=() i w
  cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    case "$w" in
      --root) root=(--root "${COMP_WORDS[i+1]}"); ((i++));;
      --root=*) root=(--root "${w#--root=}");;
      --log|--log-format|--rootless|--criu) ((i++));;
      -*) ;;
      *) cmd=$w; break;;
    esac
  done
  case "$prev" in
    --root|--log|--criu|-b|--bundle|--pid-file|--console-socket|--cwd|-p|--process|-r|--resources)
      COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return;;
    --log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return;;
    -f|--format) COMPREPLY=($(compgen -W "table json" -- "$cur")); return;;
  esac
  if [ -z "$cmd" ]; then
    if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$(WANT=flags _hull_help_words "$hull")" -- "$cur"))
    else COMPREPLY=($(compgen -W "$(WANT=cmds _hull_help_words "$hull")" -- "$cur")); fi
    return
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(WANT=flags _hull_help_words "$hull" "$cmd")" -- "$cur"))
    return
  fi
  case "$cmd" in
    spec|features|list|ls) return;;
    kill) # ID, then a signal
      local n=0; for ((i = i + 1; i < COMP_CWORD; i++)); do [[ "${COMP_WORDS[i]}" == -* ]] || ((n++)); done
      if [ "$n" -ge 1 ]; then COMPREPLY=($(compgen -W "$(kill -l | tr -s '\t )0123456789' '\n' | grep ^SIG)" -- "$cur")); return; fi;;
    exec) # ID, then the command
      for ((i = i + 1; i < COMP_CWORD; i++)); do [[ "${COMP_WORDS[i]}" == -* ]] || { COMPREPLY=($(compgen -c -- "$cur")); return; }; done;;
  esac
  COMPREPLY=($(compgen -W "$("$hull" "${root[@]}" list -q 2>/dev/null)" -- "$cur"))
}
complete -F _hull hull
