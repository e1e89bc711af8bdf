// Package field describes what is wrong with an object, field by field: paths such as
// spec.containers[0].image and errors carrying upstream's error types and messages, so
// that an Invalid Status reads exactly like upstream's.
//
// It holds no validation rules itself; those live in api/validation.
package field
