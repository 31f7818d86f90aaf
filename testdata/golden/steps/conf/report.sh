#!/bin/sh
echo "report in $(pwd)"
cat /home/sim/proj/out.txt
