# Scripts sourced before every step and the run command, where they exist
# (the first step runs before the script is installed).
environment "sourced" {
  base = "debian:bookworm"

  source = ["/opt/tool/etc/env.sh"]

  step {
    run = "echo \"before: [$TOOL_HOME]\" > /opt/before"
  }
  step {
    run = "mkdir -p /opt/tool/etc && echo 'export TOOL_HOME=/opt/tool' > /opt/tool/etc/env.sh"
  }
  step {
    run = "echo \"after: [$TOOL_HOME]\" > /opt/after"
  }

  run = ["sh", "-c", "cat /opt/before /opt/after && echo \"run: [$TOOL_HOME]\""]
}
