package printers

import (
	"encoding/json"
	"strings"
	"testing"

	"seven.dev/api/core"
	"seven.dev/api/meta"
	"seven.dev/api/resource"
	"seven.dev/api/scheme"
)

// TestEveryKindPrintsAllColumns prints an empty object of every served kind
// and checks that each row has one cell per column and that the table is
// typed as a meta.k8s.io/v1 Table.
func TestEveryKindPrintsAllColumns(t *testing.T) {
	for _, k := range scheme.Default().Kinds() {
		table, err := ToTable(k, []meta.Object{k.New()}, goldenNow())
		if err != nil {
			t.Errorf("%s: %v", k.Kind, err)
			continue
		}
		if table.Kind != "Table" || table.APIVersion != "meta.k8s.io/v1" {
			t.Errorf("%s: type %s %s", k.Kind, table.APIVersion, table.Kind)
		}
		if len(table.Rows) != 1 || len(table.Rows[0].Cells) != len(table.ColumnDefinitions) {
			t.Errorf("%s: %d rows, cells %v for %d columns", k.Kind, len(table.Rows), table.Rows, len(table.ColumnDefinitions))
		}
		for _, c := range table.ColumnDefinitions {
			if c.Description == "" || (c.Type != "string" && c.Type != "integer" && c.Type != "date") {
				t.Errorf("%s: column %+v", k.Kind, c)
			}
		}
	}
}

// TestDedicatedPrinters lists the kinds that must not fall back to the
// default columns, so a renamed kind in the scheme cannot silently lose its
// printer.
func TestDedicatedPrinters(t *testing.T) {
	s := scheme.Default()
	for _, r := range []struct{ group, resource, first string }{
		{"", "pods", "Name"}, {"", "nodes", "Name"}, {"", "services", "Name"},
		{"", "endpoints", "Name"}, {"", "replicationcontrollers", "Name"},
		{"apps", "replicasets", "Name"}, {"apps", "deployments", "Name"},
		{"apps", "daemonsets", "Name"}, {"batch", "jobs", "Name"},
		{"", "namespaces", "Name"}, {"", "events", "Last Seen"},
		{"", "configmaps", "Name"}, {"", "secrets", "Name"},
		{"", "serviceaccounts", "Name"}, {"", "resourcequotas", "Name"},
		{"coordination.k8s.io", "leases", "Name"},
	} {
		k, ok := s.ByResource(r.group, r.resource)
		if !ok {
			t.Errorf("%s/%s not in the scheme", r.group, r.resource)
			continue
		}
		if _, ok := printerFor(k); !ok {
			t.Errorf("%s/%s has no printer", r.group, r.resource)
			continue
		}
		table, err := ToTable(k, nil, goldenNow())
		if err != nil {
			t.Fatal(err)
		}
		if got := table.ColumnDefinitions[0].Name; got != r.first {
			t.Errorf("%s: first column %q, want %q", r.resource, got, r.first)
		}
	}
	if k, _ := s.ByResource("", "limitranges"); k != nil {
		if _, ok := printerFor(k); ok {
			t.Error("limitranges has a printer; upstream uses the default table")
		}
	}
}

// TestEmptyRows checks the JSON of empty lists: [] from dedicated printers,
// null from the default convertor, as upstream writes them.
func TestEmptyRows(t *testing.T) {
	s := scheme.Default()
	for _, tt := range []struct{ resource, want string }{
		{"pods", `"rows":[]`},
		{"limitranges", `"rows":null`},
	} {
		k, _ := s.ByResource("", tt.resource)
		table, err := ToTable(k, nil, goldenNow())
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(table)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), tt.want) {
			t.Errorf("%s: %s, want %s", tt.resource, b, tt.want)
		}
	}
}

func TestToTableErrors(t *testing.T) {
	if _, err := ToTable(nil, nil, goldenNow()); err == nil {
		t.Error("nil kind: no error")
	}
	k, _ := scheme.Default().ByResource("", "pods")
	_, err := ToTable(k, []meta.Object{&core.Pod{}, &core.Node{}}, goldenNow())
	if err == nil || !strings.Contains(err.Error(), "item 1") || !strings.Contains(err.Error(), "*core.Node") {
		t.Errorf("node printed as a pod: err = %v", err)
	}
}

// TestQuotaMissingUsage checks that a resource with a hard limit but no
// usage yet reads 0, as upstream's zero Quantity does.
func TestQuotaMissingUsage(t *testing.T) {
	st := &core.ResourceQuotaStatus{Hard: core.ResourceList{"pods": resource.MustParse("4")}}
	if req, lim := quotaUsage(st); req != "pods: 0/4" || lim != "" {
		t.Errorf("quotaUsage = %q, %q", req, lim)
	}
}
