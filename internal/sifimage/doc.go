// Package sifimage makes a SIF (Singularity Image Format) file, the image
// Apptainer and SingularityCE run, from a built root file system, for
// `envc build --format sif`. It imports neither BuildKit nor Apptainer:
// package builder hands it the root file system as a tar stream (BuildKit's
// tar exporter) and the configs it resolved.
//
// # What is laid
//
// Lay computes what `apptainer build` lays into an image bootstrapped from
// a docker base with the same definition file (the singularity target's
// Singularity.def), read with the singularity emitter's parser, which
// follows Apptainer's:
//
//   - /.singularity.d/env/10-docker2singularity.sh: the base image's env,
//     each variable a default ("${NAME:-value}"), PATH set outright;
//   - env/90-environment.sh: the definition file's %environment;
//   - runscript (%runscript, with its "#!" line or #!/bin/sh), startscript,
//     test (%test), runscript.help (%help);
//   - labels.json: the base image's labels, Apptainer's build labels, the
//     definition file's %labels;
//   - Singularity: the definition file from its first "Bootstrap:" line
//     on (Apptainer stores its build stages, not what precedes them: envc's
//     header comment);
//   - the files every image Apptainer makes carries: env/01-base.sh,
//     94-appsbase.sh (empty without SCIF apps), 95-apps.sh, 99-base.sh (which puts /.singularity.d/libs, where
//     --nv binds the driver's libraries, on LD_LIBRARY_PATH, and after
//     which Apptainer injects APPTAINERENV_ variables), 99-runtimevars.sh,
//     the action scripts actions/{exec,run,shell,start,test}, the folders
//     /.singularity.d/libs, /dev, /proc, /sys, /root, /tmp, /var/tmp,
//     /home and /etc where absent, empty /etc/hosts and /etc/resolv.conf
//     (Apptainer binds the host's), and the links /singularity,
//     /environment, /.run, /.exec, /.shell and /.test where nothing is.
//
// Everything laid is owned by root with the time ModTime (1970-01-01), so
// the same build gives the same bytes. The SIF also carries the JSON
// objects `apptainer build` adds: inspect-metadata.json (what `apptainer
// inspect` shows: labels, runscript, environment files, definition file,
// help, startscript) and oci-config.json.
//
// Deliberate differences from `apptainer build`:
//
//   - The env, action and start scripts are envc's own, with the same
//     behaviour and their own comments.
//   - labels.json has no org.label-schema.build-date (the clock) and no
//     org.label-schema.usage.apptainer.version (envc is not Apptainer); a
//     %labels key the base image also has takes the definition file's
//     value, as the spec's label does in the image (Apptainer keeps the
//     base's unless built with --force).
//   - oci-config.json is the built image's config (the base's with the
//     spec's on top, as in the OCI image envc builds), not the base's, so
//     that `apptainer run --oci` runs what the spec says.
//   - 10-docker2singularity.sh quotes values for the shell; Apptainer
//     escapes them twice, so a value with a backslash, quote, backquote
//     or dollar differs (plain values are written identically).
//   - SCIF apps (%app* sections) are refused: envc never writes them.
//
// # Squashfs and SIF
//
// Squash feeds the root file system tar, rewritten by Rewrite (the
// entries the layout replaces left out, the layout added, everything else
// with its owners, modes, times, devices and extended attributes as built),
// to squashfs-tools' mksquashfs in tar mode (-tar, version 4.5 or later),
// so the root file system is never unpacked to disk and the owners are
// kept whoever runs envc: a user's home stays the user's. This is what
// `apptainer build` gives when run as root (it calls mksquashfs on the
// unpacked root file system; unprivileged, it makes every file root's).
// mksquashfs is told gzip, Apptainer's compression (at level 6, five times
// faster than mksquashfs's default 9 for 0.3% more), and fixed file system
// and root times; since mksquashfs 4.5 ignores the root folder's time and
// owner in tar mode, the root inode is set afterwards (the inode table is
// left uncompressed for that). A missing mksquashfs is ErrNoMksquashfs,
// which names the package.
//
// Write writes the SIF with github.com/apptainer/sif/v2 as `apptainer
// build` does: the definition file, the JSON objects in name order, the
// squashfs as the primary system partition with the image's architecture,
// Apptainer's launch script, and the SIF library's deterministic header (a
// zero ID and zero times): the same root file system and definition file
// give the same SIF.
package sifimage
