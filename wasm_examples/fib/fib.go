// fib: pure compute. Prints the N-th Fibonacci number, computed the slow
// (doubly recursive) way on purpose, so the work grows quickly with N.
// Usage: fib [N]   (default N = 27)
//
// Build by hand:
//   wasm:   GOOS=wasip1 GOARCH=wasm go build -o fib.wasm fib.go
//   native: CGO_ENABLED=0 go build -o fib fib.go
// Run:      wasmtime fib.wasm 30

package main

import (
	"fmt"
	"os"
	"strconv"
)

func fib(n uint32) uint64 {
	if n < 2 {
		return uint64(n)
	}
	return fib(n-1) + fib(n-2)
}

func main() {
	n := uint32(27)
	if len(os.Args) > 1 {
		if parsed, err := strconv.ParseUint(os.Args[1], 10, 32); err == nil {
			n = uint32(parsed)
		}
	}
	fmt.Printf("fib(%d) = %d\n", n, fib(n))
}
