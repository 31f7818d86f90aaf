# preCICE's paths for login shells.
export PATH="/opt/precice/bin:$PATH"
export LD_LIBRARY_PATH="/opt/precice/lib:/opt/openmpi/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
