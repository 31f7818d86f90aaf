#!/usr/bin/env python3
"""Writes the end-to-end suite's own application as a wheel.

envc-e2e-hello 1.0 is one pure-Python module with one console script,
envc-e2e-hello, which prints a fixed line and the arguments it was given.
run.sh serves it in its package index beside the wheels Debian ships, for
the pip-index case's pipx block (pipx will not install one of its own
shared libraries, pip, setuptools or wheel, as an application).

Usage: hello_wheel.py DIR (writes DIR/envc_e2e_hello-1.0-py3-none-any.whl
and prints its path). The bytes are the same on every run: fixed
timestamps and modes, files in a fixed order.
"""

import base64
import hashlib
import os
import sys
import zipfile

NAME = "envc-e2e-hello"
DIST = "envc_e2e_hello"
VERSION = "1.0"
INFO = f"{DIST}-{VERSION}.dist-info"

MODULE = '''"""The end-to-end suite's application: a program that says hello."""

import json
import sys

LINE = "envc-e2e-hello 1.0 from the suite's index"


def main():
    print(LINE, json.dumps(sys.argv[1:]))
    return 0
'''

FILES = [
    (f"{DIST}.py", MODULE),
    (f"{INFO}/METADATA", f"""Metadata-Version: 2.1
Name: {NAME}
Version: {VERSION}
Summary: The end-to-end suite's application: a program that says hello
Requires-Python: >=3.7
"""),
    (f"{INFO}/WHEEL", """Wheel-Version: 1.0
Generator: envc-e2e (hello_wheel.py)
Root-Is-Purelib: true
Tag: py3-none-any
"""),
    (f"{INFO}/entry_points.txt", f"""[console_scripts]
{NAME} = {DIST}:main
"""),
]


def record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def entry(zf, name, data):
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def main(argv):
    if len(argv) != 2:
        print("usage: hello_wheel.py DIR", file=sys.stderr)
        return 2
    path = os.path.join(argv[1], f"{DIST}-{VERSION}-py3-none-any.whl")
    record = []
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in FILES:
            data = text.encode()
            entry(zf, name, data)
            record.append(f"{name},{record_hash(data)},{len(data)}")
        record.append(f"{INFO}/RECORD,,")
        entry(zf, f"{INFO}/RECORD", ("\n".join(record) + "\n").encode())
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
