package chromium

import (
	"bytes"
	"os"
	"strconv"
	"strings"
)

// groupMemory is the memory the processes of process group pgid hold
// together: the sum of their proportional set sizes (Pss), which counts a
// page shared by several processes once in all, as Chromium's renderer,
// GPU and browser processes share much. Processes that end while they are
// read are skipped.
func groupMemory(pgid int) int64 { return groupSum(pgid, pss) }

// groupResident is the sum of the resident sizes of the processes of
// process group pgid: an upper bound of groupMemory (shared pages count
// once per process), read without walking their pages.
func groupResident(pgid int) int64 { return groupSum(pgid, resident) }

// groupSum is the sum of size over the processes of process group pgid.
func groupSum(pgid int, size func(pid int) int64) int64 {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var total int64
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || processGroup(pid) != pgid {
			continue
		}
		total += size(pid)
	}
	return total
}

// resident is pid's resident set size in bytes (statm), or 0.
func resident(pid int) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0
	}
	return pages * int64(os.Getpagesize())
}

// processGroup is pid's process group, or -1.
func processGroup(pid int) int {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return -1
	}
	// pid (comm) state ppid pgrp …: comm may hold spaces and parentheses.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 3 {
		return -1
	}
	g, err := strconv.Atoi(f[2])
	if err != nil {
		return -1
	}
	return g
}

// pss is pid's proportional set size in bytes (smaps_rollup), or 0.
func pss(pid int) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "Pss:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
