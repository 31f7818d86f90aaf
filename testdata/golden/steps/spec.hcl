# Language v2 steps: ordered step blocks after v1's shorthand.
environment "steps" {
  base = "debian:bookworm"

  # v1 shorthand: expands to the first steps.
  packages = ["ca-certificates"]
  env = {
    GREETING = "hello from envc"
  }

  user    = "sim"
  workdir = "/home/sim/proj"
  run     = ["/usr/local/bin/report"]

  # User attributes: the run user, and a service user a step runs as.
  user "sim" {
    uid    = 1500
    gid    = 1500
    shell  = "/bin/bash"
    groups = ["video", "research"]
  }
  user "svc" {
    home = "/srv/svc"
  }

  step {
    run = "echo built > /opt/built"
  }
  step {
    packages   = ["hello"]
    recommends = true
  }
  # The run user is created before the first step that needs it.
  step {
    copy {
      source = "conf/app.conf"
      target = "/home/sim/app.conf"
      owner  = "sim"
      mode   = "0640"
    }
  }
  step {
    copy {
      source = "conf/report.sh"
      target = "/usr/local/bin/report"
      mode   = "0755"
    }
  }
  step {
    user    = "sim"
    workdir = "/home/sim/proj"
    shell   = "bash"
    env = {
      NPROCS = "2"
      LABEL  = "$${GREETING}, scoped"
    }
    run = "echo \"$GREETING / $LABEL / $NPROCS\" | tee out.txt | wc -c > count.txt"
  }
  step {
    user = "svc"
    run  = "id -Gn > /srv/svc/groups"
  }
  step {
    only = ["vagrant"]
    run  = "echo machine > /etc/envc-target"
  }
  step {
    except = ["vagrant"]
    run    = "echo image > /etc/envc-target"
  }
}
