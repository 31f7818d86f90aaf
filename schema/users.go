package schema

import "strings"

// BaseUser is a user (and its own group) that a base image ships.
type BaseUser struct {
	Name     string
	UID, GID int
}

// ImageUsers returns the users with ids of 1000 and above that the image
// ref is known to ship, as their build files make them; nil when envc
// knows of none (which does not mean the image has none).
//
//   - Ubuntu's own images from 23.04 on have the user ubuntu, 1000:1000
//     (Launchpad bug 2005129), and so does every image built on one,
//     unless listed below.
//   - Jupyter's docker-stacks remove the user holding their NB_UID and
//     make jovyan, 1000:100 (the users group).
//   - r-base makes the user docker (useradd -m docker on Debian: 1000).
//   - micromamba's images make mambauser, 57439:57439 (MAMBA_USER_ID).
func ImageUsers(ref ImageRef) []BaseUser {
	d, ok := LookupImage(ref)
	if !ok {
		return nil
	}
	path := strings.TrimPrefix(ref.Path, "library/")
	switch {
	case strings.HasPrefix(ref.Domain+"/"+path, "quay.io/jupyter/") || strings.HasPrefix(ref.Domain+"/"+path, "docker.io/jupyter/"):
		return []BaseUser{{"jovyan", 1000, 100}}
	case ref.Domain+"/"+path == "docker.io/r-base":
		return []BaseUser{{"docker", 1000, 1000}}
	}
	var users []BaseUser
	if d.ID == "ubuntu" && ubuntuHasUser(d.Version) {
		users = append(users, BaseUser{"ubuntu", 1000, 1000})
	}
	if p := ref.Domain + "/" + path; p == "docker.io/mambaorg/micromamba" || p == "ghcr.io/mamba-org/micromamba" {
		users = append(users, BaseUser{"mambauser", 57439, 57439})
	}
	return users
}

// ubuntuHasUser reports whether Ubuntu's image of version ("24.04") has
// the user ubuntu: from 23.04 on.
func ubuntuHasUser(version string) bool {
	v, ok := parseVersion(version)
	return ok && compareVersions(v, []int{23, 4}) >= 0
}
