package printers

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"seven.dev/api/core"
	"seven.dev/api/labels"
	"seven.dev/api/meta"
	"seven.dev/api/scheme"
)

// printer is the table handler of one kind: its columns and a function from an
// object to its row (with every column's cell, wide ones included).
type printer struct {
	columns []meta.TableColumnDefinition
	row     func(obj meta.Object, now time.Time) (meta.TableRow, error)
}

// ToTable prints objs, all of kind k, as the Table upstream's API server returns
// for them: k's dedicated columns when upstream has a printer for the kind, the
// default NAME / CREATED AT columns otherwise. Ages are relative to now. Row
// objects and list metadata are left for the caller to fill.
func ToTable(k *scheme.Kind, objs []meta.Object, now time.Time) (*meta.Table, error) {
	if k == nil {
		return nil, errors.New("print table: no kind")
	}
	p, ok := printerFor(k)
	if !ok {
		return defaultTable(objs), nil
	}
	t := newTable(p.columns)
	// Upstream's printers build their rows with make(..., 0, n): an empty list
	// prints "rows": [], unlike the default convertor's null.
	t.Rows = make([]meta.TableRow, 0, len(objs))
	for i, obj := range objs {
		row, err := p.row(obj, now)
		if err != nil {
			return nil, fmt.Errorf("print %s item %d: %w", k.Resource, i, err)
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

func newTable(columns []meta.TableColumnDefinition) *meta.Table {
	return &meta.Table{
		TypeMeta:          meta.TypeMeta{Kind: "Table", APIVersion: "meta.k8s.io/v1"},
		ColumnDefinitions: columns,
	}
}

// printerFor returns the printer upstream registers for k, if any. LimitRange,
// Binding and every kind not listed here use the default table.
func printerFor(k *scheme.Kind) (printer, bool) {
	switch k.Group + "/" + k.Kind {
	case "/Pod":
		return podPrinter(), true
	case "/Node":
		return nodePrinter(), true
	case "/Service":
		return servicePrinter(), true
	case "/Endpoints":
		return endpointsPrinter(), true
	case "/ReplicationController":
		return replicationControllerPrinter(), true
	case "apps/ReplicaSet":
		return replicaSetPrinter(), true
	case "apps/Deployment":
		return deploymentPrinter(), true
	case "apps/DaemonSet":
		return daemonSetPrinter(), true
	case "batch/Job":
		return jobPrinter(), true
	case "/Namespace":
		return namespacePrinter(), true
	case "/Event":
		return eventPrinter(), true
	case "/ConfigMap":
		return configMapPrinter(), true
	case "/Secret":
		return secretPrinter(), true
	case "/ServiceAccount":
		return serviceAccountPrinter(), true
	case "/ResourceQuota":
		return resourceQuotaPrinter(), true
	case "coordination.k8s.io/Lease":
		return leasePrinter(), true
	}
	return printer{}, false
}

// rowOf adapts a printer of one concrete type to printer.row, failing on an
// object of another type instead of panicking.
func rowOf[T meta.Object](print func(obj T, now time.Time) meta.TableRow) func(meta.Object, time.Time) (meta.TableRow, error) {
	return func(obj meta.Object, now time.Time) (meta.TableRow, error) {
		t, ok := obj.(T)
		if !ok {
			var want T
			return meta.TableRow{}, fmt.Errorf("object is %T, want %T", obj, want)
		}
		return print(t, now), nil
	}
}

// cells makes a row of cells.
func cells(c ...any) meta.TableRow { return meta.TableRow{Cells: c} }

// defaultTable is upstream's default table convertor (k8s.io/apiserver
// registry/rest): the name and the creation time as an RFC 3339 date, for
// kinds without a printer.
func defaultTable(objs []meta.Object) *meta.Table {
	t := newTable([]meta.TableColumnDefinition{
		nameColumn(),
		{Name: "Created At", Type: "date", Description: descCreationTimestamp},
	})
	// Rows stay nil for an empty list: upstream appends to a nil slice here,
	// so its JSON says "rows": null.
	for _, obj := range objs {
		m := obj.GetObjectMeta()
		t.Rows = append(t.Rows, cells(m.Name, m.CreationTimestamp.UTC().Format(time.RFC3339)))
	}
	return t
}

// Column constructors. Upstream's column types are "string" even for some
// columns whose cells are numbers (DATA, SECRETS, UP-TO-DATE); they are kept.

func nameColumn() meta.TableColumnDefinition {
	return meta.TableColumnDefinition{Name: "Name", Type: "string", Format: "name", Description: descName}
}

func ageColumn() meta.TableColumnDefinition {
	return column("Age", "string", descCreationTimestamp)
}

func column(name, typ, description string) meta.TableColumnDefinition {
	return meta.TableColumnDefinition{Name: name, Type: typ, Description: description}
}

// wide marks a column shown only with -o wide.
func wide(c meta.TableColumnDefinition) meta.TableColumnDefinition {
	c.Priority = 1
	return c
}

// templateColumns are the wide CONTAINERS IMAGES SELECTOR columns of the
// workload kinds.
func templateColumns(selectorDescription string) []meta.TableColumnDefinition {
	return []meta.TableColumnDefinition{
		wide(column("Containers", "string", descTemplateContainers)),
		wide(column("Images", "string", descTemplateImages)),
		wide(column("Selector", "string", selectorDescription)),
	}
}

// Cell formatters shared by several kinds.

// formatLabels is upstream's labels.FormatLabels: "k1=v1,k2=v2" sorted by key,
// or "<none>".
func formatLabels(m map[string]string) string {
	if s := labels.Set(m).String(); s != "" {
		return s
	}
	return "<none>"
}

// formatLabelSelector is upstream's metav1.FormatLabelSelector: the selector in
// canonical syntax, "<none>" when it selects everything or nothing, and
// "<error>" when it does not parse.
func formatLabelSelector(ls *meta.LabelSelector) string {
	sel, err := labels.SelectorFromLabelSelector(ls)
	if err != nil {
		return "<error>"
	}
	if s := sel.String(); s != "" {
		return s
	}
	return "<none>"
}

// containerCells is upstream's layoutContainerCells: the names and the images
// of containers, each joined with commas.
func containerCells(containers []core.Container) (names, images string) {
	n := make([]string, len(containers))
	im := make([]string, len(containers))
	for i, c := range containers {
		n[i], im[i] = c.Name, c.Image
	}
	return strings.Join(n, ","), strings.Join(im, ",")
}
