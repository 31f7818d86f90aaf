#!/usr/bin/env python3
# envc corpus placeholder: start JupyterLab on $JUPYTER_PORT
import os
port = os.environ.get("JUPYTER_PORT", "8888")
os.execvp("jupyter", ["jupyter", "lab", "--ip=0.0.0.0", f"--port={port}", "--no-browser"])
