#!/bin/bash
# envc corpus placeholder: source every *.sh in the given directory
for f in "$1"/*.sh; do [ -e "$f" ] && . "$f"; done
true
