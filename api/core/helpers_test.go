package core_test

import "seven.dev/api/meta"

func metaName(name string) meta.ObjectMeta { return meta.ObjectMeta{Name: name} }
