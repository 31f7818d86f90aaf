#!/bin/sh
# Greets each argument.
for who in "$@"; do
  echo "hello, $who"
done
