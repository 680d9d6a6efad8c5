//go:build !linux

package chromium

// groupMemory is not measured outside Linux.
func groupMemory(pgid int) int64 { return 0 }

// groupResident is not measured outside Linux.
func groupResident(pgid int) int64 { return 0 }
