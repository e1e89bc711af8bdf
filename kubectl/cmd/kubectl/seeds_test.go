package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"seven.dev/api/client"
	"seven.dev/api/kubeconfig"
)

// seedLines are the kubectl command lines of ../shared/seeds, verbatim (the synopsis
// "kubectl scale [--resource-version=version] [--current-replicas=count] --replicas=COUNT
// RESOURCE" is the one line made concrete), in an order where each finds what it needs.
var seedLines = []struct {
	line string
	code int
	want string // a substring of stdout+stderr
}{
	{"kubectl create -f node.yaml", 0, "node/kubernetes-minion1 created"}, // setup: the seeds' nodes
	// 000 / 004: the guestbook.
	{"kubectl create -f redis-master-controller.yaml", 0, "replicationcontroller/redis-master created"},
	{"kubectl get pods", 0, "redis-master-"},
	{"kubectl create -f redis-master-service.yaml", 0, "service/redis-master created"},
	{"kubectl get services", 0, "redis-master   ClusterIP"},
	{"kubectl create -f redis-slave-controller.yaml", 0, "replicationcontroller/redis-slave created"},
	{"kubectl get rc", 0, "redis-slave"},
	{"kubectl create -f redis-slave-service.yaml", 0, "service/redis-slave created"},
	{"kubectl create -f frontend-controller.yaml", 0, "replicationcontroller/frontend created"},
	{"kubectl create -f frontend-service.yaml", 0, "service/frontend created"},
	{"kubectl label nodes kubernetes-minion1 zone=test", 0, "node/kubernetes-minion1 labeled"},
	{"kubectl scale --current-replicas=3 --replicas=2 rc frontend", 0, "replicationcontroller/frontend scaled"},
	{"kubectl rolling-update frontend --image=image:v2", 0, "replicationcontroller/frontend rolling updated"},
	{`kubectl stop rc -l "name in (redis-master, redis-slave, frontend)"`, 0, `replicationcontroller "redis-master" deleted`},
	{`kubectl delete service -l "name in (redis-master, redis-slave, frontend)"`, 0, `service "frontend" deleted`},
	// 003: nginx by the old -s flag.
	{"kubectl -s http://192.168.2.129:8080 create -f nginx-rc.yaml", 0, "replicationcontroller/nginx created"},
	{"kubectl -s http://192.168.2.129:8080 get pods", 0, "nginx-"},
	{"kubectl -s http://192.168.2.129:8080 create -f ./nginx-service-clusterip.yaml", 0, "service/nginx-service created"},
	{"kubectl -s http://192.168.2.129:8080 get service", 0, "nginx-service"},
	// 002: the tutorial.
	{"kubectl -s http://10.0.0.11:8080 get node", 0, "kubernetes-minion1"},
	{"kubectl get nodes", 0, "NAME"},
	{"kubectl create -f hello.yaml", 0, "pod/hello-world created"},
	{"kubectl get pods", 0, "hello-world"},
	{"kubectl describe pod hello-world", 0, "Events:"},
	{"kubectl describe pods yourpodname", 1, `Error from server (NotFound): pods "yourpodname" not found`},
	{"kubectl get pods -o wide", 0, "NOMINATED NODE"},
	{"kubectl delete -f hello.yaml", 0, `pod "hello-world" deleted`},
	{"kubectl create -f hello.yaml", 0, "pod/hello-world created"},
	{"kubectl get pods -o wide", 0, "hello-world"},
	{"kubectl get rc", 0, "nginx"},
	{"kubectl create -f nginx.yml", 0, "pod/nginx-2 created"}, // setup for replace
	{"kubectl replace -f nginx.yml", 0, "pod/nginx-2 replaced"},
	{"kubectl edit rc nginx", 0, "replicationcontroller/nginx edited"},
	{"kubectl create -f web-rc.yaml", 0, "replicationcontroller/myweb created"},
	{"kubectl rolling-update myweb -f web-rc2.yaml", 0, `replicationcontroller/myweb rolling updated to "myweb-2"`},
	{"kubectl rolling-update myweb-2 -f web-rc.yaml", 0, `replicationcontroller/myweb-2 rolling updated to "myweb"`},
	{"kubectl create -f myweb-svc.yaml", 0, "service/myweb created"},
	{"kubectl get svc", 0, "8080:30001/TCP"},
	{"kubectl create -f web-svc.yaml", 0, "service/web created"},
	{"kubectl get service", 0, "web"},
	{"kubectl create -f dashboard.yaml", 0, "deployment.apps/kubernetes-dashboard-latest created"},
	{"kubectl create -f dashboardsvc.yaml", 0, "service/kubernetes-dashboard created"},
	{"kubectl get deployment --all-namespaces", 0, "kube-system   kubernetes-dashboard-latest"},
	{"kubectl get svc --all-namespaces", 0, "kubernetes-dashboard"},
	{"kubectl get pod -o wide --all-namespaces", 0, "NAMESPACE"},
	{"kubectl delete deployment kubernetes-dashboard-latest --namespace=kube-system", 0, `deployment.apps "kubernetes-dashboard-latest" deleted`},
	{"kubectl delete svc kubernetes-dashboard --namespace=kube-system", 0, `service "kubernetes-dashboard" deleted`},
}

func TestSeedCommandLines(t *testing.T) {
	e := newEnv(t)
	seeds, _ := filepath.Glob("testdata/seeds/*")
	for _, f := range seeds {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		e.write(filepath.Base(f), string(data))
	}
	kc := kubeconfig.New()
	kc.Clusters = []kubeconfig.NamedCluster{{Name: "seven", Cluster: kubeconfig.Cluster{Server: e.s.URL}}}
	kc.Contexts = []kubeconfig.NamedContext{{Name: "seven", Context: kubeconfig.Context{Cluster: "seven"}}}
	kc.CurrentContext = "seven"
	if err := kubeconfig.Write(filepath.Join(e.dir, "kubeconfig"), kc); err != nil {
		t.Fatal(err)
	}
	editor := e.write("editor.sh", "#!/bin/sh\nsed -i 's/replicas: 2/replicas: 3/' \"$1\"\n")
	_ = os.Chmod(editor, 0o755)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go fakeControllers(ctx, e.c, "default")
	for _, sl := range seedLines {
		line := strings.NewReplacer("http://10.0.0.11:8080", e.s.URL, "http://192.168.2.129:8080", e.s.URL).Replace(sl.line)
		run := func() (string, int) {
			cmd := exec.Command("bash", "-c", line)
			cmd.Dir = e.dir
			cmd.Env = append(os.Environ(), "PATH="+binDir+":"+os.Getenv("PATH"), "KUBECONFIG="+filepath.Join(e.dir, "kubeconfig"),
				"EDITOR="+editor, "SEVEN_KUBECTL_UPDATE_PERIOD=50ms", "HOME="+e.dir)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			return out.String(), code
		}
		out, code := run()
		// A get right after a create may come before the (fake) controllers acted: gets are
		// read-only, so they are asked again for a while, as a user would.
		for try := 0; try < 50 && strings.Contains(line, " get ") && (code != sl.code || !strings.Contains(out, sl.want)); try++ {
			time.Sleep(100 * time.Millisecond)
			out, code = run()
		}
		if code != sl.code || !strings.Contains(out, sl.want) {
			t.Errorf("%s: exit %d (want %d), output lacks %q:\n%s", sl.line, code, sl.code, sl.want, out)
		}
		if strings.HasPrefix(sl.line, "kubectl get pods") || strings.HasPrefix(sl.line, "kubectl -s http://192.168.2.129:8080 get pods") {
			time.Sleep(50 * time.Millisecond)
		}
	}
	// After the seeds: the rc frontend kept its name with the new image, myweb is back on v1.
	rc, err := client.ReplicationControllers(e.c).Get(ctx, "default", "myweb")
	if err != nil || rc.Spec.Template.Spec.Containers[0].Image != "kubeguide/tomcat-app:v1" {
		t.Errorf("myweb after the round trip: %v %v", err, rc)
	}
	if _, err := client.ReplicationControllers(e.c).Get(ctx, "default", "myweb-2"); err == nil {
		t.Errorf("myweb-2 still exists after rolling back to myweb")
	}
	nginx, err := client.ReplicationControllers(e.c).Get(ctx, "default", "nginx")
	if err != nil || *nginx.Spec.Replicas != 3 {
		t.Errorf("kubectl edit did not change nginx's replicas to 3: %v", err)
	}
}
