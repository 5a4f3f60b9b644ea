#!/usr/bin/env bash
# Keep a long-running command going: when it exits (an error it did not
# survive, killed, out of memory) say so on stderr and start it again after
# RESPAWN_DELAY seconds (default 5). SIGTERM, SIGINT or SIGHUP to this loop
# stop it and the command. `make run` starts the housekeepers through it.
#
#   scripts/respawn.sh COMMAND [ARGUMENT...]
set -u
delay=${RESPAWN_DELAY:-5}
child=

stop() {
    trap - TERM INT HUP
    if [ -n "$child" ]; then
        kill -TERM "$child" 2>/dev/null
        wait "$child" 2>/dev/null
    fi
    exit 143
}
trap stop TERM INT HUP

while true; do
    # In the background and waited for, so that a signal reaches `stop` at
    # once instead of after the command.
    "$@" &
    child=$!
    wait "$child"
    status=$?
    echo "respawn: $(date -u +%FT%TZ) '$*' exited with status $status; restarting in ${delay}s" >&2
    sleep "$delay" &
    child=$!
    wait "$child"
done
