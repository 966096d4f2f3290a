# fish completion for hull: commands and flags from hull's own --help,
# container ids from `hull list -q`.
function __hull_cmds
    hull --help 2>/dev/null | awk '/^Subcommands:/ {s = 1; next} s && /^  [a-z]/ {l = $0; sub(/^ +/, "", l); d = l; sub(/  .*/, "", l); sub(/^[^ ]*( [^ ]+)* {2,}/, "", d); gsub(/,/, " ", l); n = split(l, a, " "); for (i = 1; i <= n; i++) printf "%s\t%s\n", a[i], d}'
end
function __hull_flags
    set -l cmd (commandline -opc)[2..]
    set -l sub
    for w in $cmd
        string match -q -- '-*' $w; or begin; set sub $w; break; end
    end
    hull $sub --help 2>/dev/null | awk '/^  -/ {n = split($1, f, ","); for (i = 1; i <= n; i++) {sub(/[ =].*/, "", f[i]); print f[i]}}'
end
complete -c hull -f
complete -c hull -n __fish_use_subcommand -a '(__hull_cmds)'
complete -c hull -n 'string match -q -- "-*" (commandline -ct)' -a '(__hull_flags)'
complete -c hull -n 'not __fish_use_subcommand; and __fish_seen_subcommand_from start state kill delete pause resume update ps events exec' -a '(hull list -q 2>/dev/null)'
