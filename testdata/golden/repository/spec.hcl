# Language v2 repositories: a third-party package source and its signing key, added before the
# packages. The Debian archive's own backports suite stands in for a vendor repository, with
# the archive keyring the base image ships (a file:// key).
environment "repository" {
  base = "debian:bookworm"

  repository "backports" {
    url        = "http://deb.debian.org/debian"
    key        = "file:///usr/share/keyrings/debian-archive-keyring.gpg"
    suite      = "bookworm-backports"
    components = ["main", "contrib"]
  }

  packages = ["hello"]
  step {
    run = "grep -q 'bookworm-backports main contrib' /etc/apt/sources.list.d/backports.list"
  }
  run = ["hello"]
}
