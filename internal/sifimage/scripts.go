package sifimage

// The scripts below are the ones every image that `apptainer build` makes
// carries whatever its definition file says. They are written for envc and
// do what Apptainer's own do; only their comments differ. Apptainer 1.x
// runs its actions with an interpreter of its own that sources
// /.singularity.d/env/*.sh in name order, so what matters at run time is
// the env scripts' names and effects; the action scripts serve older
// runtimes and the /.run, /.exec, /.shell and /.test links.

// sourceEnv sources the environment scripts in name order, as every action
// does first.
const sourceEnv = `for script in /.singularity.d/env/*.sh; do
    if [ -f "$script" ]; then
        . "$script"
    fi
done
`

const header = "#!/bin/sh\n"

// actionExec is /.singularity.d/actions/exec: the environment, then the
// caller's command.
const actionExec = header + "# apptainer exec: set up the environment, then run the given command.\n\n" +
	sourceEnv + `
exec "$@"
`

// actionRun is /.singularity.d/actions/run: the environment, then the
// runscript (of the app named by SINGULARITY_APPNAME, if any).
const actionRun = header + "# apptainer run: set up the environment, then run the runscript.\n\n" +
	sourceEnv + `
if [ -n "${SINGULARITY_APPNAME:-}" ]; then
    for runscript in "/scif/apps/${SINGULARITY_APPNAME}/scif/runscript" /scif/apps/singularity/scif/runscript; do
        if [ -x "$runscript" ]; then
            exec "$runscript" "$@"
        fi
    done
    echo "No Apptainer runscript for contained app: ${SINGULARITY_APPNAME}"
    exit 1
fi
if [ -x /.singularity.d/runscript ]; then
    exec /.singularity.d/runscript "$@"
fi
echo "No Apptainer runscript found, executing /bin/sh"
exec /bin/sh "$@"
`

// actionShell is /.singularity.d/actions/shell: the environment, then
// $SINGULARITY_SHELL, bash or sh.
const actionShell = header + "# apptainer shell: set up the environment, then start a shell.\n\n" +
	sourceEnv + `
if [ -n "${SINGULARITY_SHELL:-}" ] && [ -x "$SINGULARITY_SHELL" ]; then
    exec $SINGULARITY_SHELL "$@"
    echo "ERROR: Failed running shell as defined by '\$SINGULARITY_SHELL'" 1>&2
    exit 1
fi
if [ -x /bin/bash ]; then
    SHELL=/bin/bash
    PS1="Apptainer $APPTAINER_NAME:\\w> "
    export SHELL PS1
    exec /bin/bash --norc "$@"
fi
if [ -x /bin/sh ]; then
    SHELL=/bin/sh
    export SHELL
    exec /bin/sh "$@"
fi
echo "ERROR: /bin/sh does not exist in container" 1>&2
exit 1
`

// actionStart is /.singularity.d/actions/start: tells the instance's first
// process to go on, sets up the environment and runs the startscript.
const actionStart = header + "# apptainer instance start: wake the instance's first process, set up the\n# environment, then run the startscript.\n\n" +
	"kill -CONT 1\n\n" +
	sourceEnv + `
if [ -x /.singularity.d/startscript ]; then
    exec /.singularity.d/startscript
fi
`

// actionTest is /.singularity.d/actions/test: the environment, then the
// test script (of the app named by SINGULARITY_APPNAME, if any).
const actionTest = header + "# apptainer test: set up the environment, then run the test script.\n\n" +
	sourceEnv + `
if [ -n "${SINGULARITY_APPNAME:-}" ]; then
    for test in "/scif/apps/${SINGULARITY_APPNAME}/scif/test" /scif/apps/singularity/scif/test; do
        if [ -x "$test" ]; then
            exec "$test" "$@"
        fi
    done
    echo "No tests for contained app: ${SINGULARITY_APPNAME}"
    exit 1
fi
if [ -x /.singularity.d/test ]; then
    exec /.singularity.d/test "$@"
fi
echo "No test found in container, executing /bin/sh -c true"
exec /bin/sh -c true
`

// env01Base is /.singularity.d/env/01-base.sh, sourced first; it sets
// nothing.
const env01Base = header + "# Sourced first by every action; sets nothing.\n"

// env90Head starts /.singularity.d/env/90-environment.sh; the definition
// file's %environment follows it.
const env90Head = header + "# The definition file's %environment follows.\n"

// env95Apps is /.singularity.d/env/95-apps.sh. envc makes no SCIF apps
// (/scif/apps), so an app named at run time (--app) that the image lacks
// is an error, as in Apptainer; an app found is set up the SCIF way.
const env95Apps = header + "# SCIF apps: set up the app named by --app (SINGULARITY_APPNAME), if any.\n\n" + `if [ -n "${SINGULARITY_APPNAME:-}" ]; then
    export SINGULARITY_APPNAME
    app="/scif/apps/${SINGULARITY_APPNAME}"
    if [ ! -d "$app/" ]; then
        echo "Could not locate the container application: ${SINGULARITY_APPNAME}"
        exit 1
    fi
    SCIF_APPS=/scif/apps
    SCIF_APPROOT="$app"
    export SCIF_APPROOT SCIF_APPS
    PATH="$app:/scif/apps/singularity:$PATH"
    if [ -d "$app/bin" ]; then
        PATH="$app/bin:$PATH"
    elif [ -d /scif/apps/singularity/bin ]; then
        PATH="/scif/apps/singularity/bin:$PATH"
    fi
    if [ -d "$app/lib" ]; then
        LD_LIBRARY_PATH="$app/lib:$LD_LIBRARY_PATH"
        export LD_LIBRARY_PATH
    elif [ -d /scif/apps/singularity/lib ]; then
        LD_LIBRARY_PATH="/scif/apps/singularity/lib:$LD_LIBRARY_PATH"
        export LD_LIBRARY_PATH
    fi
    for f in 01-base.sh 90-environment.sh; do
        if [ -f "$app/scif/env/$f" ]; then
            . "$app/scif/env/$f"
        elif [ -f "/scif/apps/singularity/scif/env/$f" ]; then
            . "/scif/apps/singularity/scif/env/$f"
        fi
    done
    export PATH
fi
`

// env99Base is /.singularity.d/env/99-base.sh: the libraries Apptainer
// binds at run time (--nv, --rocm) are in /.singularity.d/libs, and a
// prompt. Apptainer injects the caller's APPTAINERENV_ variables right
// after this file.
const env99Base = header + "# Libraries bound at run time (--nv, --rocm) live in /.singularity.d/libs; a default prompt.\n\n" + `if [ -z "${LD_LIBRARY_PATH:-}" ]; then
    LD_LIBRARY_PATH=/.singularity.d/libs
else
    LD_LIBRARY_PATH="$LD_LIBRARY_PATH:/.singularity.d/libs"
fi
if [ -z "${PS1:-}" ]; then
    PS1="Apptainer> "
fi
export LD_LIBRARY_PATH PS1
`

// env99RuntimeVars is /.singularity.d/env/99-runtimevars.sh: the PATH
// changes asked for at run time (--env PATH, APPTAINERENV_PREPEND_PATH,
// APPTAINERENV_APPEND_PATH). Apptainer 1.x serves its own copy of this file
// to its interpreter; older runtimes read this one.
const env99RuntimeVars = header + "# PATH changes asked for at run time.\n\n" + `if [ -n "${SING_USER_DEFINED_PREPEND_PATH:-}" ]; then
    PATH="${SING_USER_DEFINED_PREPEND_PATH}:${PATH}"
fi
if [ -n "${SING_USER_DEFINED_APPEND_PATH:-}" ]; then
    PATH="${PATH}:${SING_USER_DEFINED_APPEND_PATH}"
fi
if [ -n "${SING_USER_DEFINED_PATH:-}" ]; then
    PATH="${SING_USER_DEFINED_PATH}"
fi
unset SING_USER_DEFINED_PREPEND_PATH SING_USER_DEFINED_APPEND_PATH SING_USER_DEFINED_PATH
export PATH
`

// defaultStartscript is /.singularity.d/startscript when the definition
// file has no %startscript: an instance starts with nothing running.
const defaultStartscript = header + "# No %startscript: an instance starts with nothing running in it.\n"
