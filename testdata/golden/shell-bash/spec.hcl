# An environment whose sourced script needs bash (arrays, [[ ]]): with
# shell = "bash", its steps, the source wrapper and the run-time scripts
# run in bash.
environment "bashrc" {
  base  = "debian:bookworm"
  shell = "bash"

  source = ["/opt/tool/etc/bashrc"]

  step {
    # Runs in sh on purpose, before the script exists.
    run   = "echo \"before: [$${TOOL_HOME:-}]\" > /opt/before"
    shell = "sh"
  }
  step {
    run = "mkdir -p /opt/tool/etc && printf '%s\\n' 'TOOL_DIRS=(/opt/tool/bin /opt/tool/lib)' 'if [[ -n $${TOOL_DIRS[1]} ]]; then export TOOL_HOME=/opt/tool; fi' > /opt/tool/etc/bashrc"
  }
  step {
    run = "echo \"after: [$TOOL_HOME] $${#TOOL_DIRS[@]} dirs\" | tee /opt/after"
  }
  setup = ["shopt -s nullglob && files=(/etc/*.conf) && echo \"$${#files[@]}\" > /opt/setup"]

  run = ["bash", "-c", "cat /opt/before /opt/after && echo \"run: [$TOOL_HOME]\""]
}

# Alpine's image has no bash: envc installs it before the first step
# that needs it.
environment "alpine-bash" {
  base  = "alpine:3.20"
  shell = "bash"

  source = ["/etc/tool.bash"]

  step {
    run = "echo 'declare -a TOOL=(a b); export TOOL_N=$${#TOOL[@]}' > /etc/tool.bash"
  }
  run = ["sh", "-c", "echo \"$TOOL_N\""]
}
