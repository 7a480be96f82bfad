// Package cli is the toolhost command line. cmd/toolhost is a thin main
// around Main, so tests can run the real command in-process.
package cli
