# Placeholder written for the corpus: stands for upstream's mindagap.py and the other scripts.
import sys

if "-v" in sys.argv:
    print("0.0.0")
