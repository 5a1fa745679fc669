// wordcount: a tiny `wc`. Counts lines, words and bytes of each FILE, or of
// standard input when no FILE is given. Under WASI a file can only be read if
// its directory was preopened. Go resolves relative names against "/", so preopen
// the folder as "/": `wasmtime --dir=.::/ wordcount.wasm notes.txt`.
// Usage: wordcount [FILE...]   prints "LINES WORDS BYTES [FILE]" per input
//
// Build by hand:
//   wasm:   GOOS=wasip1 GOARCH=wasm go build -o wordcount.wasm wordcount.go
//   native: CGO_ENABLED=0 go build -o wordcount wordcount.go

package main

import (
	"fmt"
	"io"
	"os"
)

func count(data []byte) (lines, words int) {
	inWord := false
	for _, b := range data {
		if b == '\n' {
			lines++
		}
		switch b {
		case ' ', '\n', '\t', '\r', '\v', '\f':
			inWord = false
		default:
			if !inWord {
				inWord = true
				words++
			}
		}
	}
	return lines, words
}

func main() {
	if len(os.Args) < 2 {
		data, _ := io.ReadAll(os.Stdin)
		lines, words := count(data)
		fmt.Printf("%d %d %d\n", lines, words, len(data))
		return
	}
	status := 0
	for _, name := range os.Args[1:] {
		data, err := os.ReadFile(name)
		if err != nil {
			fmt.Fprintf(os.Stderr, "wordcount: cannot open %s\n", name)
			status = 1
			continue
		}
		lines, words := count(data)
		fmt.Printf("%d %d %d %s\n", lines, words, len(data), name)
	}
	os.Exit(status)
}
