package defaults

import "strings"

// maxImageNameLength is the longest repository name a reference may have.
const maxImageNameLength = 255

// imageTag returns the tag an image reference names the way upstream's
// image-name parser does for the pull-policy default: the explicit tag,
// "latest" when there is neither a tag nor a digest, and "" for a digest-only
// reference or a reference that does not parse (so that neither gets
// imagePullPolicy Always).
func imageTag(image string) string {
	ref := image
	digest := ""
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref, digest = ref[:i], ref[i+1:]
		if !validDigest(digest) {
			return ""
		}
	}
	tag := ""
	if i := strings.LastIndexByte(ref, ':'); i >= 0 && i > strings.LastIndexByte(ref, '/') {
		ref, tag = ref[:i], ref[i+1:]
		if !validTag(tag) {
			return ""
		}
	}
	if !validRepository(ref) {
		return ""
	}
	if tag == "" && digest == "" {
		return "latest"
	}
	return tag
}

func isLowerAlnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }
func isAlnum(c byte) bool      { return isLowerAlnum(c) || 'A' <= c && c <= 'Z' }
func isHex(c byte) bool        { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// validTag checks [\w][\w.-]{0,127}.
func validTag(tag string) bool {
	if tag == "" || len(tag) > 128 || tag[0] == '.' || tag[0] == '-' {
		return false
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if !isAlnum(c) && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// validDigest accepts the digest algorithms a registry serves, with hex of
// the algorithm's length.
func validDigest(d string) bool {
	alg, hex, ok := strings.Cut(d, ":")
	if !ok {
		return false
	}
	want := map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}[alg]
	if want == 0 || len(hex) != want {
		return false
	}
	for i := 0; i < len(hex); i++ {
		if !isHex(hex[i]) {
			return false
		}
	}
	return true
}

// validRepository checks [domain/]path where the first component is a
// domain only if it looks like one (a dot, a port, "localhost" or upper
// case), as the reference normaliser decides.
func validRepository(name string) bool {
	if name == "" || len(name) > maxImageNameLength {
		return false
	}
	path := name
	if i := strings.IndexByte(name, '/'); i >= 0 {
		first := name[:i]
		if strings.ContainsAny(first, ".:") || first == "localhost" || strings.ToLower(first) != first {
			if !validDomain(first) {
				return false
			}
			path = name[i+1:]
		}
	}
	for _, comp := range strings.Split(path, "/") {
		if !validPathComponent(comp) {
			return false
		}
	}
	return true
}

// validPathComponent checks alnum (separator alnum)* with lower-case
// alphanumerics and the separators "_", "__", "." and runs of "-".
func validPathComponent(c string) bool {
	if c == "" || !isLowerAlnum(c[0]) || !isLowerAlnum(c[len(c)-1]) {
		return false
	}
	for i := 0; i < len(c); {
		if isLowerAlnum(c[i]) {
			i++
			continue
		}
		j := i
		for j < len(c) && !isLowerAlnum(c[j]) {
			j++
		}
		sep := c[i:j]
		if sep != "_" && sep != "__" && sep != "." && strings.Trim(sep, "-") != "" {
			return false
		}
		i = j
	}
	return true
}

// validDomain checks host[:port] with dot-separated alphanumeric labels
// (hyphens inside) or a bracketed IPv6 literal.
func validDomain(d string) bool {
	host := d
	if strings.HasPrefix(d, "[") {
		end := strings.IndexByte(d, ']')
		if end < 0 {
			return false
		}
		host, d = d[1:end], d[end+1:]
		for i := 0; i < len(host); i++ {
			if !isHex(host[i]) && host[i] != ':' && host[i] != '.' {
				return false
			}
		}
		if d == "" {
			return host != ""
		}
		return strings.HasPrefix(d, ":") && allDigits(d[1:])
	}
	if i := strings.LastIndexByte(d, ':'); i >= 0 {
		host = d[:i]
		if !allDigits(d[i+1:]) {
			return false
		}
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || !isAlnum(label[0]) || !isAlnum(label[len(label)-1]) {
			return false
		}
		for i := 0; i < len(label); i++ {
			if !isAlnum(label[i]) && label[i] != '-' {
				return false
			}
		}
	}
	return true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
