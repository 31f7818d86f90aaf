// Package vagrant is envc's Vagrant target (emitter name "vagrant"). It
// lowers an ir.Env to two files: a Vagrantfile, evaluated by Ruby on the
// user's host, and bootstrap.sh, run as root in the machine by Vagrant's
// shell provisioner. Users run `vagrant up`, then
// `vagrant ssh -c <env>-run`.
//
// # Vagrantfile
//
//   - the envc header and usage as "#" comments, then
//     `Vagrant.configure('2') do |config|`; the description and labels
//     follow as Go-quoted comments inside the block (after the first
//     token, where Ruby reads no magic comments; a spec file name that
//     Ruby would read as one on the first line is an error);
//   - config.vm.box: vm.box, else the distribution's default box (with
//     its box_url); box_version when set; no box at all is an error;
//   - config.ssh.forward_agent = true when the vm block's ssh block asks;
//   - one forwarded_port network per port (host_ip only when set: Vagrant,
//     like Docker, then binds every host address; protocol always);
//   - Vagrant's default share of the project folder at /vagrant is
//     disabled (unless a mount targets /vagrant): the spec's mounts are the
//     only shares. Each mount is a synced_folder, read-only ones with
//     mount_options: ['ro'] (honoured by VirtualBox, NFS and 9p mounts; an
//     rsync folder is a one-way copy anyway);
//   - a file provisioner per copy step (of the stages too), then a shell
//     provisioner per stage running stage-<name>.sh, which builds the stage
//     in the machine itself (a machine has one file system; warned by
//     vagrant-stage-flattened), then the shell provisioner running
//     bootstrap.sh (privileged, Vagrant's default), whose copies from a
//     stage read the machine's paths; with vm.reboot, a last shell
//     provisioner `reboot: true` (Vagrant restarts the guest and waits
//     for it);
//   - provider blocks, each only when it sets something: VirtualBox gets
//     name, gui, cpus, memory, linked_clone and default_nic_type; libvirt
//     gets cpus, memory, driver, cpu_mode and nested. libvirt names its
//     domain itself and opens no window, so a vm name raises
//     vagrant-vm-name-virtualbox-only and gui
//     vagrant-vm-gui-virtualbox-only. No hostname is set (the spec has
//     none; containers get none either).
//
// Every spec string is a Ruby literal made by rubyString: single quotes
// with only \\ and \' escaped (so #{...} and backquotes are plain text),
// and each non-printable character as a separate "\u{..}" literal that
// Ruby joins to its neighbours. The file never holds a raw CR.
//
// Vagrant itself hands some values to shells: a synced folder's guest
// path goes into guest commands (not always escaped) and /etc/fstab, its
// host path into the host's NFS exports under libvirt, and a file
// provisioner's destination through `printf` in the guest. So a mount
// target must be an absolute path of letters, digits and "/._+,:@=-",
// a mount source must hold no control character, '"' or '\' (both are
// errors), and upload destinations are built from the environment's name
// and step numbers only.
//
// # Copying files
//
// The file provisioner runs as the ssh user and resolves a relative
// source against the folder vagrant was started in, so each copy step's
// file is named File.join(__dir__, SOURCE) and uploaded to
// /tmp/envc-<env>/files/<step>. At the step's position bootstrap.sh
// installs it as root with `install -D -m MODE` (creating parents) and
// chowns it to its owner; after the steps it removes /tmp/envc-<env>.
// This is faithful, so it raises no warning.
//
// # bootstrap.sh
//
// A POSIX sh script: `set -e`, `cd /` (steps start in /, as in a
// container build), then one "# step N: KIND" block per step. Install,
// user and workdir steps are the shared commands of package shell (apt
// with its VM options) followed by `|| exit`; a user with uid 1000, which
// a box's own vagrant user holds, is created with the next free uid when
// another account has it (vagrant-user-uid-box, raised also for a user
// without a uid, with the group the user gets; a user block named vagrant
// finds the box's user, kept as it is, and is warned about only when it
// asks for other ids than 1000). An env step exports its
// variables for the later steps. A run step is a subshell: `(`, the
// step's `cd`, `set +e`, the command verbatim, `)`; a bash step, a step
// run as another user (runuser, or BusyBox su on Alpine) and a command
// that cannot stand verbatim (a carriage return, which Vagrant's upload
// turns into a line end, or a final line continuation) are handed quoted
// to a new shell instead. After the steps ("# after the steps") it writes,
// each with a quoted here-document whose delimiter no line of the body
// equals:
//
//   - /etc/profile.d/envc-<env>.sh, exporting env.RunEnv() for login shells
//     (values per platform in a case on uname -m: shell.RunEnvLines),
//     since a provisioner's env: setting does not outlive the provisioner,
//     then sourcing each of env.Source where it exists, so that `vagrant
//     ssh` shells see what the run command sees (in bash alone, behind
//     BashGuard, when the environment's shell is bash; on Alpine, whose
//     login shell is ash, vagrant-source-login-shell); removed when there
//     are neither variables nor scripts;
//   - /etc/envc/<env>/labels.json, the labels as one JSON object in author
//     order (vagrant-labels-recorded);
//   - /usr/local/bin/<env>-run (0755, a bash script when the
//     environment's shell is bash), always: it re-runs itself through
//     `sudo -u USER -H` (`sudo -u '#UID' [-g '#GID'] -H` for a run user
//     given by ids) unless it already runs as the run user (root when
//     the spec names none; every Vagrant box has sudo), sources the
//     profile (`vagrant ssh -c` starts no login shell), changes to the
//     working directory (when set), then runs its arguments if any, else
//     the run command (without one it does nothing).
//
// # Reading back
//
// ReadVagrantfile evaluates a Vagrantfile with real Ruby and loader.rb, an
// embedded stand-in for Vagrant's DSL that records every setting as JSON
// (and lists calls it does not know). ReadBootstrap parses bootstrap.sh
// with mvdan.cc/sh into its steps, exports and written files, and
// ReadExports reads the profile. Tests also run the wrapper under sh,
// shellcheck the scripts, and run `vagrant validate` when it is installed.
//
// The package sits after the compiler: it reads a finished ir.Env and
// imports neither schema nor compiler. It does not start machines.
package vagrant
