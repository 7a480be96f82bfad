package main

import "fmt"

func main() {
	fmt.Println("this is a WASI command, not an Extism plugin: Extism never runs _start")
}
