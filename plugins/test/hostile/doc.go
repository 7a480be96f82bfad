//go:build wasip1

// hostile is the escape suite's attacker: every tool tries one thing a
// plugin must not be able to do (leave its mounts, reach ungranted hosts,
// read the host's environment or secrets, outlive its timeout, exhaust
// memory, flood output, feed host functions garbage pointers) and reports
// what it saw, so e2e/escape_test.go can check that the host refused it
// with the right error and kept serving. See docs/threat-model.md.
package main
