#!/bin/sh
# Says where and how the environment was started.
echo "serve: mode=${SERVE_MODE:-unset} dir=$(pwd) args=$*"
