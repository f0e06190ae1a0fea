//go:build unix

package queries_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time this process has used (user + system), for the benchmark:
// on a busy machine it says more about a query's cost than the wall clock does.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
