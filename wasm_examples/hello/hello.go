// hello: the smallest useful program, our start-up workload.
//
// Build by hand:
//   wasm:   GOOS=wasip1 GOARCH=wasm go build -o hello.wasm hello.go
//   native: CGO_ENABLED=0 go build -o hello hello.go
// Run:      wasmtime hello.wasm

package main

import "fmt"

func main() {
	fmt.Println("Hello from WebAssembly and containers!")
}
