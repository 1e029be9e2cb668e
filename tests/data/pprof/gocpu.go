// A Go program that profiles itself with runtime/pprof (the reader's reference input):
// leafA called directly and through midB, with sq inlined into leafA.
// tests/scripts/pprof_tests.sh builds it and runs it: gocpu OUT.pprof
package main

import (
	"os"
	"runtime/pprof"
	"time"
)

//go:noinline
func leafA(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += sq(i)
	}
	return s
}

//go:noinline
func midB(n int) int { return leafA(n) + 1 }

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	pprof.StartCPUProfile(f)
	end := time.Now().Add(1500 * time.Millisecond)
	s := 0
	for time.Now().Before(end) {
		s += midB(100000)
		s += leafA(50000)
	}
	pprof.StopCPUProfile()
	f.Close()
	if s == 42 {
		println()
	}
}

func sq(i int) int { return i * i % 7 }
