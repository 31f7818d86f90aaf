#!/bin/sh
echo "report from $(id -un) in $(pwd)"
cat /home/sim/proj/out.txt
