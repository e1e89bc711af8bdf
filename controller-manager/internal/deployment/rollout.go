package deployment

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"

	"seven.dev/api/apps"
	"seven.dev/api/core"
	"seven.dev/api/intstr"
)

// ResolveFenceposts turns maxSurge (rounded up) and maxUnavailable (rounded down) into
// numbers for replicas; both zero would deadlock, so maxUnavailable becomes 1, as upstream.
func ResolveFenceposts(maxSurge, maxUnavailable *intstr.IntOrString, replicas int32) (int32, int32, error) {
	def := intstr.FromString("25%")
	if maxSurge == nil {
		maxSurge = &def
	}
	if maxUnavailable == nil {
		maxUnavailable = &def
	}
	s, err := intstr.GetScaledValueFromIntOrPercent(maxSurge, int(replicas), true)
	if err != nil {
		return 0, 0, fmt.Errorf("maxSurge: %w", err)
	}
	u, err := intstr.GetScaledValueFromIntOrPercent(maxUnavailable, int(replicas), false)
	if err != nil {
		return 0, 0, fmt.Errorf("maxUnavailable: %w", err)
	}
	if s == 0 && u == 0 {
		u = 1
	}
	return int32(s), int32(u), nil
}

// NewRSReplicas is the size the new ReplicaSet may grow to now: up to replicas, without
// the total (total, the sum of every ReplicaSet's spec.replicas) passing replicas+maxSurge.
func NewRSReplicas(replicas, maxSurge, total, newSpec int32) int32 {
	maxTotal := replicas + maxSurge
	if total >= maxTotal {
		return min(newSpec, replicas)
	}
	return min(newSpec+maxTotal-total, replicas)
}

// Counts are one ReplicaSet's desired and available pods.
type Counts struct{ Spec, Available int32 }

// ScaleDownOld returns the new spec.replicas of the old ReplicaSets (oldest first): it removes
// unavailable old pods first, then available ones, never taking the available pods of the
// whole deployment below replicas-maxUnavailable (counting the new set's unavailable pods
// against the budget).
func ScaleDownOld(olds []Counts, newRS Counts, replicas, maxUnavailable int32) []int32 {
	out := make([]int32, len(olds))
	all := newRS.Spec
	for i, o := range olds {
		out[i] = o.Spec
		all += o.Spec
	}
	budget := all - (replicas - maxUnavailable) - (newRS.Spec - newRS.Available)
	for i, o := range olds {
		if budget <= 0 {
			return out
		}
		if unhealthy := out[i] - o.Available; unhealthy > 0 {
			d := min(unhealthy, budget)
			out[i] -= d
			budget -= d
		}
	}
	for i := range olds {
		if budget <= 0 {
			break
		}
		d := min(out[i], budget)
		out[i] -= d
		budget -= d
	}
	return out
}

// TemplateHash is the pod-template-hash of template (with collisionCount folded in), in
// upstream's alphabet of characters that never spell words.
func TemplateHash(t *core.PodTemplateSpec, collisionCount *int32) string {
	h := fnv.New32a()
	b, _ := json.Marshal(t)
	h.Write(b)
	if collisionCount != nil {
		fmt.Fprintf(h, "%d", *collisionCount)
	}
	return safeEncode(fmt.Sprint(h.Sum32()))
}

func safeEncode(s string) string {
	const alphanums = "bcdfghjklmnpqrstvwxz2456789"
	var b strings.Builder
	for _, r := range s {
		b.WriteByte(alphanums[int(r)%len(alphanums)])
	}
	return b.String()
}

// SameTemplate reports whether a ReplicaSet's template is the deployment's, ignoring the
// pod-template-hash label the controller added.
func SameTemplate(rs *apps.ReplicaSet, d *apps.Deployment) bool {
	a := rs.Spec.Template
	if _, ok := a.Labels[apps.DefaultDeploymentUniqueLabelKey]; ok {
		l := map[string]string{}
		for k, v := range a.Labels {
			if k != apps.DefaultDeploymentUniqueLabelKey {
				l[k] = v
			}
		}
		if len(l) == 0 {
			l = nil
		}
		a.Labels = l
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(d.Spec.Template)
	return string(ja) == string(jb)
}
