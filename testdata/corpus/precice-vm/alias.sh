# envc corpus placeholder for the VM's ~/.alias: render a preCICE configuration to PNG
precice_png() { precice-config-visualizer -o precice-config.png "${1:-precice-config.xml}"; }
