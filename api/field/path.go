package field

import (
	"strconv"
	"strings"
)

// Path is a field path such as spec.containers[0].image. The zero value is the root.
type Path struct {
	parent *Path
	name   string // a field name, or "" for an index/key step
	index  string // "[0]" or "[key]" when name is ""
}

// NewPath starts a path at a top-level field, with optional further fields.
func NewPath(name string, more ...string) *Path {
	p := &Path{name: name}
	for _, m := range more {
		p = p.Child(m)
	}
	return p
}

// Child appends field names.
func (p *Path) Child(name string, more ...string) *Path {
	c := &Path{parent: p, name: name}
	for _, m := range more {
		c = c.Child(m)
	}
	return c
}

// Index appends a list index.
func (p *Path) Index(i int) *Path {
	return &Path{parent: p, index: "[" + strconv.Itoa(i) + "]"}
}

// Key appends a map key.
func (p *Path) Key(k string) *Path {
	return &Path{parent: p, index: "[" + k + "]"}
}

// String renders the path the way upstream prints it.
func (p *Path) String() string {
	if p == nil {
		return "<nil>"
	}
	var steps []*Path
	for s := p; s != nil; s = s.parent {
		steps = append(steps, s)
	}
	var b strings.Builder
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		if s.name != "" {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.name)
		} else {
			b.WriteString(s.index)
		}
	}
	return b.String()
}
