#!/usr/bin/env python3
"""The group's analysis: here, a greeting that says where it runs."""
import platform

print("analysis ready on Python", platform.python_version())
