package printers

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"seven.dev/api/coordination"
	"seven.dev/api/core"
	"seven.dev/api/meta"
)

// Printers of namespaces, events, configuration, identity, leases and quotas.

func namespacePrinter() printer {
	return printer{
		columns: []meta.TableColumnDefinition{
			nameColumn(),
			column("Status", "string", descNamespaceStatus),
			ageColumn(),
		},
		row: rowOf(func(ns *core.Namespace, now time.Time) meta.TableRow {
			// Upstream defaults an unset phase to Active when decoding.
			phase := ns.Status.Phase
			if phase == "" {
				phase = core.NamespaceActive
			}
			return cells(ns.Name, string(phase), age(&ns.ObjectMeta, now))
		}),
	}
}

func eventPrinter() printer {
	return printer{
		columns: []meta.TableColumnDefinition{
			column("Last Seen", "string", descEventLastTimestamp),
			column("Type", "string", descEventType),
			column("Reason", "string", descEventReason),
			column("Object", "string", descEventInvolvedObject),
			wide(column("Subobject", "string", descObjectReferenceFieldPath)),
			wide(column("Source", "string", descEventSource)),
			column("Message", "string", descEventMessage),
			wide(column("First Seen", "string", descEventFirstTimestamp)),
			wide(column("Count", "string", descEventCount)),
			wide(nameColumn()),
		},
		row: rowOf(eventRow),
	}
}

func eventRow(e *core.Event, now time.Time) meta.TableRow {
	// Events of the events.k8s.io API have eventTime and series instead of
	// firstTimestamp, lastTimestamp and count.
	first := since(e.FirstTimestamp.Time, now)
	if e.FirstTimestamp.IsZero() {
		first = since(e.EventTime.Time, now)
	}
	last := since(e.LastTimestamp.Time, now)
	if e.LastTimestamp.IsZero() {
		last = first
	}
	count := e.Count
	if e.Series != nil {
		last = since(e.Series.LastObservedTime.Time, now)
		count = e.Series.Count
	} else if count == 0 {
		count = 1 // singleton events of the new API have no count
	}

	object := strings.ToLower(e.InvolvedObject.Kind)
	if e.InvolvedObject.Name != "" {
		object += "/" + e.InvolvedObject.Name
	}
	return cells(
		last,
		e.Type,
		e.Reason,
		object,
		e.InvolvedObject.FieldPath,
		eventSource(e),
		strings.TrimSpace(e.Message),
		first,
		int64(count),
		e.Name,
	)
}

// eventSource is "component" or "component, host", falling back to the
// reporting controller and instance of new-API events.
func eventSource(e *core.Event) string {
	component := cmp.Or(e.Source.Component, e.ReportingController)
	host := cmp.Or(e.Source.Host, e.ReportingInstance)
	if host == "" {
		return component
	}
	return component + ", " + host
}

func configMapPrinter() printer {
	return printer{
		columns: []meta.TableColumnDefinition{
			nameColumn(),
			column("Data", "string", descConfigMapData),
			ageColumn(),
		},
		row: rowOf(func(cm *core.ConfigMap, now time.Time) meta.TableRow {
			return cells(cm.Name, int64(len(cm.Data)+len(cm.BinaryData)), age(&cm.ObjectMeta, now))
		}),
	}
}

func secretPrinter() printer {
	return printer{
		columns: []meta.TableColumnDefinition{
			nameColumn(),
			column("Type", "string", descSecretType),
			column("Data", "string", descSecretData),
			ageColumn(),
		},
		row: rowOf(func(s *core.Secret, now time.Time) meta.TableRow {
			// Upstream defaults an unset type to Opaque when decoding.
			typ := s.Type
			if typ == "" {
				typ = core.SecretTypeOpaque
			}
			return cells(s.Name, string(typ), int64(len(s.Data)), age(&s.ObjectMeta, now))
		}),
	}
}

func serviceAccountPrinter() printer {
	return printer{
		columns: []meta.TableColumnDefinition{
			nameColumn(),
			column("Secrets", "string", descServiceAccountSecrets),
			ageColumn(),
		},
		row: rowOf(func(sa *core.ServiceAccount, now time.Time) meta.TableRow {
			return cells(sa.Name, int64(len(sa.Secrets)), age(&sa.ObjectMeta, now))
		}),
	}
}

func leasePrinter() printer {
	return printer{
		columns: []meta.TableColumnDefinition{
			nameColumn(),
			column("Holder", "string", descLeaseHolder),
			ageColumn(),
		},
		row: rowOf(func(l *coordination.Lease, now time.Time) meta.TableRow {
			holder := ""
			if l.Spec.HolderIdentity != nil {
				holder = *l.Spec.HolderIdentity
			}
			return cells(l.Name, holder, age(&l.ObjectMeta, now))
		}),
	}
}

func resourceQuotaPrinter() printer {
	return printer{
		// Upstream v1.32's order; later releases move AGE to the end.
		columns: []meta.TableColumnDefinition{
			nameColumn(),
			ageColumn(),
			column("Request", "string", descQuotaRequest),
			column("Limit", "string", descQuotaLimit),
		},
		row: rowOf(func(q *core.ResourceQuota, now time.Time) meta.TableRow {
			request, limit := quotaUsage(&q.Status)
			return cells(q.Name, age(&q.ObjectMeta, now), request, limit)
		}),
	}
}

// quotaUsage is the REQUEST and LIMIT cells: "name: used/hard" for every
// resource of status.hard, sorted by name, joined with ", "; the limits.*
// resources go to LIMIT and all others to REQUEST.
func quotaUsage(st *core.ResourceQuotaStatus) (request, limit string) {
	names := make([]core.ResourceName, 0, len(st.Hard))
	for name := range st.Hard {
		names = append(names, name)
	}
	slices.Sort(names)
	var requests, limits []string
	for _, name := range names {
		used, hard := st.Used[name], st.Hard[name]
		s := fmt.Sprintf("%s: %s/%s", name, used.String(), hard.String())
		if prefix, _, dotted := strings.Cut(string(name), "."); dotted && prefix == "limits" {
			limits = append(limits, s)
		} else {
			requests = append(requests, s)
		}
	}
	return strings.Join(requests, ", "), strings.Join(limits, ", ")
}
