//go:build wasip1

// everything exercises the whole V2 ABI through the sdk: every export, every host function, and the failure modes a host must survive.
package main
