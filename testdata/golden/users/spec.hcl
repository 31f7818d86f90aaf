# The user model: a run user given by ids, as Kubernetes wants them; ids
# and names from variables; a gid the image already has (the users group)
# as the primary group; and taking over an id another user holds.
variable "uid" {
  default = 1000
}
variable "team" {
  default = "research"
}
variable "worker" {
  default = "worker"
}

# USER 1000:100 in the image; the VM's run wrapper switches with
# sudo -u '#1000' -g '#100'. Apptainer runs as its caller.
environment "kube" {
  base    = "debian:bookworm"
  user    = "${var.uid}:100"
  workdir = "/work"
  # The run directory is made for the ids: alice:users.
  run = ["stat", "-c", "%U:%G", "/work"]

  # gid 100 is Debian's users group: it becomes alice's primary group
  # (no group named alice is made).
  user "alice" {
    uid    = var.uid
    gid    = 100
    groups = [var.team]
  }
  user "worker" {
    uid = 1100
  }
  step {
    user = var.worker
    run  = "id > /tmp/worker-id"
  }
}

# A step made a user with uid 1001 that envc does not know of: the user
# block takes the id over (removing that user and its home first).
environment "takeover" {
  base = "debian:bookworm"
  user = "carol"
  # legacy's home went with it.
  run = ["ls", "/home"]

  step {
    run = "useradd -l -m -u 1001 legacy"
  }
  user "carol" {
    uid          = 1001
    take_over_id = true
  }
}

# Ubuntu's images since 23.04 have the user ubuntu with uid and gid 1000:
# taking the id over is the way to give it to another user.
environment "noble" {
  base = "ubuntu:24.04"
  user = 1000

  user "dev" {
    uid          = 1000
    gid          = 1000
    take_over_id = true
  }
}

# Alpine: BusyBox addgroup, adduser -G with the name of the group holding
# the gid, and deluser to take the id over.
environment "alpine" {
  base    = "alpine:3.20"
  user    = "1000:100"
  workdir = "/work"

  user "al" {
    uid          = 1000
    gid          = 100
    take_over_id = true
  }
}
