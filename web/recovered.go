package web

import (
	"fmt"
	"runtime/debug"
)

// recovered runs f on a goroutine of the request's own making: a panic
// there would escape the router's recovery and end the process, so it
// becomes the request's error (with its stack, for the log) instead.
func recovered(f func() error) func() error {
	return func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
			}
		}()
		return f()
	}
}
