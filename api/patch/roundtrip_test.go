package patch

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestThreeWayRoundTripGenerated checks kubectl apply's contract on many
// generated Pods: applying CreateThreeWayMergePatch(original, modified,
// current) to current yields modified plus whatever the server set that
// modified does not own (status, a server label, a defaulted container field,
// an injected sidecar and finalizer). It also checks the two-way patch.
func TestThreeWayRoundTripGenerated(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < 1000; i++ {
		orig, mod := genPod(rng), genPod(rng)
		cur := deepCopy(orig).(map[string]any)
		want := deepCopy(mod).(map[string]any)
		addServerFields(cur, orig, mod, want)

		ob, mb, cb := mustJSON(t, orig), mustJSON(t, mod), mustJSON(t, cur)
		twoWay, err := CreateTwoWayMergePatch(ob, mb, podSchema)
		if err != nil {
			t.Fatalf("case %d: two-way: %v", i, err)
		}
		got, err := ApplyStrategicMergePatch(ob, twoWay, podSchema)
		if err != nil {
			t.Fatalf("case %d: apply two-way %s: %v", i, twoWay, err)
		}
		assertJSON(t, fmt.Sprintf("case %d: original %s + two-way %s", i, ob, twoWay), got, string(mb))

		threeWay, err := CreateThreeWayMergePatch(ob, mb, cb, podSchema, true)
		if err != nil {
			t.Fatalf("case %d: three-way: %v", i, err)
		}
		got, err = ApplyStrategicMergePatch(cb, threeWay, podSchema)
		if err != nil {
			t.Fatalf("case %d: apply three-way %s: %v", i, threeWay, err)
		}
		assertJSON(t, fmt.Sprintf("case %d: original %s modified %s current %s + three-way %s", i, ob, mb, cb, threeWay), got, string(mustJSON(t, want)))
		if t.Failed() {
			return
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// subset returns a random selection of names in random order.
func subset(rng *rand.Rand, names ...string) []string {
	var out []string
	for _, i := range rng.Perm(len(names)) {
		if rng.IntN(3) > 0 {
			out = append(out, names[i])
		}
	}
	return out
}

func genPod(rng *rand.Rand) map[string]any {
	pod := map[string]any{"kind": "Pod"}
	md := map[string]any{"name": "p"}
	if rng.IntN(4) > 0 {
		labels := map[string]any{}
		for _, k := range subset(rng, "a", "b", "c") {
			labels[k] = fmt.Sprintf("v%d", rng.IntN(2))
		}
		md["labels"] = labels
	}
	if rng.IntN(3) > 0 {
		var fins []any
		for _, f := range subset(rng, "f1", "f2", "f3") {
			fins = append(fins, f)
		}
		md["finalizers"] = append([]any{}, fins...)
	}
	pod["metadata"] = md
	if rng.IntN(5) == 0 {
		return pod
	}
	spec := map[string]any{}
	if rng.IntN(5) > 0 {
		containers := []any{}
		for _, name := range subset(rng, "c1", "c2", "c3") {
			c := map[string]any{"name": name, "image": fmt.Sprintf("img:%d", rng.IntN(2))}
			if rng.IntN(2) == 0 {
				c["args"] = []any{fmt.Sprintf("--x=%d", rng.IntN(2))}
			}
			if rng.IntN(2) == 0 {
				env := []any{}
				for _, e := range subset(rng, "E1", "E2", "E3") {
					env = append(env, map[string]any{"name": e, "value": fmt.Sprintf("%d", rng.IntN(2))})
				}
				c["env"] = env
			}
			if rng.IntN(3) == 0 {
				ports := []any{}
				for _, p := range subset(rng, "80", "443") {
					ports = append(ports, map[string]any{"containerPort": json.Number(p)})
				}
				c["ports"] = ports
			}
			containers = append(containers, c)
		}
		spec["containers"] = containers
	}
	if rng.IntN(3) == 0 {
		spec["tolerations"] = []any{map[string]any{"key": fmt.Sprintf("k%d", rng.IntN(2))}}
	}
	pod["spec"] = spec
	return pod
}

// addServerFields adds to cur what a server would set, and to want what of
// it must survive the apply: everything under a field the patch does not
// delete.
func addServerFields(cur, orig, mod, want map[string]any) {
	cur["status"] = map[string]any{"phase": "Running"}
	want["status"] = map[string]any{"phase": "Running"}

	cmd := cur["metadata"].(map[string]any)
	omd, mmd, wmd := orig["metadata"].(map[string]any), mod["metadata"].(map[string]any), want["metadata"].(map[string]any)
	_, origHasLabels := omd["labels"]
	_, modHasLabels := mmd["labels"]
	labels, _ := cmd["labels"].(map[string]any)
	if labels == nil {
		labels = map[string]any{}
		cmd["labels"] = labels
	}
	labels["srv"] = "x"
	if modHasLabels || !origHasLabels {
		wl, _ := wmd["labels"].(map[string]any)
		if wl == nil {
			wl = map[string]any{}
			wmd["labels"] = wl
		}
		wl["srv"] = "x"
	}
	if fins, ok := cmd["finalizers"].([]any); ok {
		cmd["finalizers"] = append(fins, "srv-fin")
		if wf, ok := wmd["finalizers"].([]any); ok {
			wmd["finalizers"] = append(wf, "srv-fin")
		}
	}

	cspec, _ := cur["spec"].(map[string]any)
	containers, _ := cspec["containers"].([]any)
	if containers == nil {
		return
	}
	for _, c := range containers {
		c.(map[string]any)["terminationMessagePath"] = "/dev/termination-log"
	}
	cspec["containers"] = append(containers, map[string]any{"name": "sidecar", "image": "proxy"})
	wspec, _ := want["spec"].(map[string]any)
	wcs, ok := wspec["containers"].([]any)
	if !ok {
		return // the manifest dropped the list (or the spec): it is deleted
	}
	for _, c := range wcs {
		cm := c.(map[string]any)
		for _, oc := range containers {
			if oc.(map[string]any)["name"] == cm["name"] {
				cm["terminationMessagePath"] = "/dev/termination-log"
			}
		}
	}
	wspec["containers"] = append(wcs, map[string]any{"name": "sidecar", "image": "proxy"})
}
