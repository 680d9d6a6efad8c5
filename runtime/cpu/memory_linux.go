package cpu

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

const limitSource = "of memory and swap this machine has"

// memoryLimit is the machine's memory and swap (/proc/meminfo): the most
// the kernel lets a process map, as it checks one large mapping.
func memoryLimit() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	var total int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, rest, _ := strings.Cut(sc.Text(), ":")
		if key != "MemTotal" && key != "SwapTotal" {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0
		}
		total += kb << 10
	}
	return total
}
