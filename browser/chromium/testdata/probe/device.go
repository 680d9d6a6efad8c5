package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"unsafe"

	"github.com/phi2web/phi2web/wasm/kernels"
)

//go:wasmimport phi2 workers
func deviceWorkers() int32

//go:wasmimport phi2 grow
func deviceGrow(bytes int64) int32

//go:wasmimport phi2 write
func deviceWrite(dev uint32, src unsafe.Pointer, n uint32)

//go:wasmimport phi2 read
func deviceRead(dst unsafe.Pointer, dev uint32, n uint32)

//go:wasmimport phi2 run
func deviceRun(jobs unsafe.Pointer, count int32) int32

type job [16]int32

func copyJob(dst, src uint32, n int32) job {
	return job{kernels.Copy, int32(dst), int32(src), n}
}

func run(jobs []job) int32 { return deviceRun(unsafe.Pointer(&jobs[0]), int32(len(jobs))) }

func pattern(n, seed int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + seed)
	}
	return b
}

// roundTrip writes a pattern at src, copies it to dst with count jobs and
// reads it back.
func roundTrip(src, dst uint32, count, each int) error {
	data := pattern(count*each, int(src))
	deviceWrite(src, unsafe.Pointer(&data[0]), uint32(len(data)))
	jobs := make([]job, count)
	for i := range jobs {
		o := uint32(i * each)
		jobs[i] = copyJob(dst+o, src+o, int32(each))
	}
	if r := run(jobs); r != 0 {
		return fmt.Errorf("run of %d copies = %d", count, r)
	}
	got := make([]byte, len(data))
	deviceRead(unsafe.Pointer(&got[0]), dst, uint32(len(got)))
	if !bytes.Equal(got, data) {
		return fmt.Errorf("copies of %d bytes to %#x read back wrong", len(data), dst)
	}
	return nil
}

// device checks the phi2 imports; PROBE_THREADS is the expected workers().
func device() int {
	failed := 0
	check := func(what string, err error) {
		if err != nil {
			fmt.Printf("FAIL %s: %v\n", what, err)
			failed++
		}
	}
	want, _ := strconv.Atoi(os.Getenv("PROBE_THREADS"))
	if w := deviceWorkers(); int(w) != want {
		check("workers", fmt.Errorf("%d, want %d", w, want))
	}
	for _, c := range []struct {
		bytes int64
		want  int32
	}{{1 << 20, 0}, {1 << 16, 0}, {-1, 1}, {1<<32 + 1, 1}} {
		if got := deviceGrow(c.bytes); got != c.want {
			check("grow", fmt.Errorf("grow(%d) = %d, want %d", c.bytes, got, c.want))
		}
	}
	check("one copy", roundTrip(4096, 8192, 1, 1000))
	check("5000 copies", roundTrip(65536, 65536*4, 5000, 16))
	// A job with an unknown kernel and one that traps (a copy past the
	// end): run reports the lowest failing index + 1.
	jobs := []job{copyJob(512, 1024, 8), copyJob(512, 1024, 8), {999}, copyJob(1<<20, 0, 64), {-1}}
	for range 40 {
		jobs = append(jobs, copyJob(1024, 2048, 64))
	}
	if r := run(jobs); r != 3 {
		check("failing run", fmt.Errorf("run = %d, want 3", r))
	}
	if r := run(jobs[3:4]); r != 1 {
		check("trapping copy", fmt.Errorf("run = %d, want 1", r))
	}
	check("copies after failures", roundTrip(4096, 8192, 64, 64))
	// Addresses past 2 GiB arrive as negative i32s.
	if len(os.Args) > 2 && os.Args[2] == "big" {
		if r := deviceGrow(2<<30 + 1<<20); r != 0 {
			check("grow past 2 GiB", fmt.Errorf("= %d", r))
		} else {
			check("copies past 2 GiB", roundTrip(2<<30+4096, 2<<30+65536, 8, 4096))
		}
	}
	if failed == 0 {
		fmt.Println("device ok")
	}
	return failed
}
