#!/bin/sh
echo "running with $*"
