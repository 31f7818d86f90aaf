package schema

import (
	"sort"

	"github.com/hashicorp/hcl/v2"
)

func sortByPos(attrs []*hcl.Attribute) {
	sort.Slice(attrs, func(i, j int) bool {
		a, b := attrs[i].Range, attrs[j].Range
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
}
