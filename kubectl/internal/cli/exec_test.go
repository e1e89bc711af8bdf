package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

func TestSortPodsForAttach(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	pod := func(name, node string, phase core.PodPhase, ready bool, readyAt time.Time, restarts int32, created time.Time) *core.Pod {
		p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: name, CreationTimestamp: meta.NewTime(created)}}
		p.Spec.NodeName, p.Status.Phase = node, phase
		st := core.ConditionFalse
		if ready {
			st = core.ConditionTrue
		}
		p.Status.Conditions = []core.PodCondition{{Type: core.PodReady, Status: st, LastTransitionTime: meta.NewTime(readyAt)}}
		p.Status.ContainerStatuses = []core.ContainerStatus{{Name: "c", RestartCount: restarts}}
		return p
	}
	for _, tt := range []struct {
		name string
		pods []*core.Pod
		want string
	}{
		{"assigned before unassigned", []*core.Pod{
			pod("unassigned", "", core.PodRunning, true, t0, 0, t0),
			pod("assigned", "n", core.PodPending, false, t0, 0, t0)}, "assigned"},
		{"running before unknown before pending", []*core.Pod{
			pod("pending", "n", core.PodPending, false, t0, 0, t0),
			pod("unknown", "n", core.PodUnknown, false, t0, 0, t0),
			pod("running", "n", core.PodRunning, false, t0, 0, t0)}, "running"},
		{"ready before not ready", []*core.Pod{
			pod("unready", "n", core.PodRunning, false, t0, 0, t0),
			pod("ready", "n", core.PodRunning, true, t0, 0, t0)}, "ready"},
		{"ready longest", []*core.Pod{
			pod("recent", "n", core.PodRunning, true, t0.Add(time.Hour), 0, t0),
			pod("long", "n", core.PodRunning, true, t0, 0, t0)}, "long"},
		{"fewest restarts", []*core.Pod{
			pod("crashy", "n", core.PodRunning, true, t0, 5, t0),
			pod("steady", "n", core.PodRunning, true, t0, 0, t0)}, "steady"},
		{"oldest", []*core.Pod{
			pod("young", "n", core.PodRunning, true, t0, 0, t0.Add(time.Hour)),
			pod("old", "n", core.PodRunning, true, t0, 0, t0)}, "old"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sortPodsForAttach(tt.pods)
			if got := tt.pods[0].Name; got != tt.want {
				t.Errorf("first pod %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDefaultContainer(t *testing.T) {
	mk := func(annotation string, init []string, names ...string) *core.Pod {
		p := &core.Pod{ObjectMeta: meta.ObjectMeta{Name: "p", Namespace: "ns"}}
		if annotation != "" {
			p.Annotations = map[string]string{defaultContainerAnnotation: annotation}
		}
		for _, n := range names {
			p.Spec.Containers = append(p.Spec.Containers, core.Container{Name: n})
		}
		for _, n := range init {
			p.Spec.InitContainers = append(p.Spec.InitContainers, core.Container{Name: n})
		}
		return p
	}
	for _, tt := range []struct {
		name           string
		pod            *core.Pod
		want, wantNote string
		wantErr        string
	}{
		{"one container", mk("", nil, "app"), "app", "", ""},
		{"several", mk("", nil, "main", "sidecar"), "main", `Defaulted container "main" out of: main, sidecar`, ""},
		{"init containers count", mk("", []string{"setup"}, "app"), "app", `Defaulted container "app" out of: app, setup (init)`, ""},
		{"annotation", mk("sidecar", nil, "main", "sidecar"), "sidecar", "", ""},
		{"annotation naming nothing", mk("gone", nil, "main", "sidecar"), "main", `Defaulted container "main" out of: main, sidecar`, ""},
		{"no containers", mk("", nil), "", "", "pod ns/p does not have any containers"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, note, err := defaultContainer(tt.pod)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want || note != tt.wantNote {
				t.Errorf("got %q %q %v, want %q %q", got, note, err, tt.want, tt.wantNote)
			}
		})
	}
}

func TestPodSelectorOf(t *testing.T) {
	s := scheme.Default()
	kind := func(word string) *scheme.Kind { return s.Resolve(word)[0] }
	for _, tt := range []struct {
		word    string
		obj     object
		want    string
		wantErr string
	}{
		{"rc", object{"metadata": map[string]any{"name": "x"}, "spec": map[string]any{"selector": map[string]any{"b": "2", "a": "1"}}}, "a=1,b=2", ""},
		{"svc", object{"metadata": map[string]any{"name": "x"}, "spec": map[string]any{"selector": map[string]any{"app": "web"}}}, "app=web", ""},
		{"svc", object{"metadata": map[string]any{"name": "x"}, "spec": map[string]any{}}, "", "invalid service 'x': Service is defined without a selector"},
		{"deploy", object{"metadata": map[string]any{"name": "x"}, "spec": map[string]any{"selector": map[string]any{
			"matchLabels":      map[string]any{"app": "web"},
			"matchExpressions": []any{map[string]any{"key": "tier", "operator": "In", "values": []any{"fe", "be"}}}}}},
			"app=web,tier in (be,fe)", ""},
		{"rs", object{"metadata": map[string]any{"name": "x"}, "spec": map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}}}}, "app=web", ""},
		{"cm", object{"metadata": map[string]any{"name": "x"}}, "", "cannot attach to *v1.ConfigMap: selector for *v1.ConfigMap not implemented"},
	} {
		got, err := podSelectorOf(kind(tt.word), tt.obj)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s: error %v, want %q", tt.word, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: got %q %v, want %q", tt.word, got, err, tt.want)
		}
	}
}

func TestExecArgs(t *testing.T) {
	for _, tt := range []struct {
		name     string
		e        execOptions
		args     []string
		dash     int
		resource string
		command  string
		wantErr  string
		stderr   string
	}{
		{name: "POD -- CMD", args: []string{"web", "ls", "-l"}, dash: 1, resource: "web", command: "ls -l"},
		{name: "TYPE/NAME -- CMD", args: []string{"deploy/web", "date"}, dash: 1, resource: "deploy/web", command: "date"},
		{name: "-f -- CMD", e: execOptions{files: []string{"p.yaml"}}, args: []string{"date"}, dash: 0, command: "date"},
		{name: "POD CMD", args: []string{"web", "ls"}, dash: -1, wantErr: "exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead"},
		{name: "-f CMD", e: execOptions{files: []string{"p.yaml"}}, args: []string{"date"}, dash: -1, wantErr: "exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead"},
		{name: "no command", args: []string{"web"}, dash: -1, wantErr: "you must specify at least one command for the container"},
		{name: "no pod", args: []string{"date"}, dash: 0, wantErr: "pod, type/name or --filename must be specified"},
		{name: "-p POD CMD", e: execOptions{podName: "web"}, args: []string{"date"}, dash: -1, command: "date",
			stderr: "Flag --pod has been deprecated, This flag is deprecated and will be removed in future. Use exec POD_NAME instead.\n"},
		{name: "-q -p POD -- CMD", e: execOptions{podName: "web", quiet: true}, args: []string{"date"}, dash: 0, command: "date"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var errOut bytes.Buffer
			o := &Options{IO: IO{Err: &errOut}}
			if tt.e.podTimeout == 0 {
				tt.e.podTimeout = time.Minute
			}
			resource, command, err := o.execArgs(&tt.e, tt.args, tt.dash)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || resource != tt.resource || strings.Join(command, " ") != tt.command || errOut.String() != tt.stderr {
				t.Errorf("got %q %q %v, stderr %q", resource, command, err, errOut.String())
			}
		})
	}
}
