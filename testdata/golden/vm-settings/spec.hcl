# Every virtual machine setting: resources, display, ssh agent, a reboot
# after provisioning, and each provider's own options. Containers ignore
# them (warnings off by default).
environment "vmset" {
  base = "debian:bookworm"

  packages = ["curl"]
  run      = ["curl", "--version"]

  vm {
    cpus   = 2
    memory = 2048
    name   = "envc 'vmset' #{x}"
    gui    = true
    reboot = true

    ssh {
      forward_agent = true
    }
    virtualbox {
      linked_clone     = true
      default_nic_type = "virtio"
    }
    libvirt {
      driver   = "qemu"
      cpu_mode = "host-passthrough"
      nested   = true
    }
  }
}
