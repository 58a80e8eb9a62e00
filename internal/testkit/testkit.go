// Package testkit holds the small fixtures that tests of every layer share: a log
// destination read while written, a start line for racing goroutines, CPU time for
// benchmarks. Only tests import it.
package testkit

import (
	"bytes"
	"sync"
	"syscall"
	"testing"
	"time"
)

// SyncBuffer is a log or output destination that a server or process writes to while
// the test reads it.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// AtOnce runs fns at the same instant, as far as goroutines allow, and waits for all.
func AtOnce(fns ...func()) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, fn := range fns {
		wg.Go(func() {
			<-start
			fn()
		})
	}
	close(start)
	wg.Wait()
}

// CPUTime is the CPU time this process has used so far, user and system. On a shared
// machine it drifts much less than wall time, so benchmarks report it per op too.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Loop runs op b.N times and reports the CPU time per op beside the wall time.
func Loop(b *testing.B, op func()) {
	b.ReportAllocs()
	start := CPUTime()
	for b.Loop() {
		op()
	}
	b.ReportMetric(float64(CPUTime()-start)/float64(b.N), "cpu-ns/op")
}
