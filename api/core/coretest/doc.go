// Package coretest holds test helpers for the API type packages: JSON round trips
// that compare documents as parsed values, and struct tag lookups. It is imported
// by _test.go files only and must never be imported by production code.
package coretest
