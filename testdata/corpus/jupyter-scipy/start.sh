#!/bin/bash
# envc corpus placeholder: run start-up hooks, then the command
set -e
/usr/local/bin/run-hooks.sh /usr/local/bin/start-notebook.d
exec "$@"
