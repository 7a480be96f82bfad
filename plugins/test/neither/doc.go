//go:build wasip1

// neither exercises load-time rejection: a valid c-shared reactor that exports no plugin ABI function (only "hello").
package main
