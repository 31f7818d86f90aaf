# Values that hide shell commands. Every target must carry them as text:
# running the generated scripts prints them and never runs them.
environment "canary" {
  base   = "debian:bookworm"
  env    = { HOSTILE = "\"; touch CANARY; echo \"" }
  labels = { note = "`touch CANARY`" }
  run    = ["printf", "%s\n", "\"; touch CANARY; echo \"", "`touch CANARY`"]
}
