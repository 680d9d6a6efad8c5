// Command probe is run in Chromium by the package's tests; its first
// argument picks what it does.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall/js"
	"time"
)

func main() {
	switch os.Args[1] {
	case "hello":
		os.Exit(hello(os.Args[2:]))
	case "lines":
		for i := range 3000 {
			fmt.Printf("line %d\n", i)
		}
	case "copy":
		// copy prints which copy it is and exits with that number.
		fmt.Printf("copy %s\n", os.Getenv("PHI2_COPY"))
		n, _ := strconv.Atoi(os.Getenv("PHI2_COPY"))
		os.Exit(n)
	case "panic":
		panic("boom")
	case "sleep":
		time.Sleep(time.Hour)
	case "webgpu":
		fmt.Println(webgpu())
	case "device":
		os.Exit(device())
	default:
		fmt.Fprintf(os.Stderr, "probe: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}

// hello: hello CODE FILE prints its arguments and environment, fetches
// /files/greeting, reads FILE, writes and reads back a file in $TMPDIR and
// exits with CODE.
func hello(args []string) int {
	fmt.Printf("args %q\n", args)
	fmt.Fprintf(os.Stderr, "greeting %s\n", os.Getenv("PROBE_GREETING"))
	origin := js.Global().Get("location").Get("origin").String()
	resp, err := http.Get(origin + "/files/greeting")
	if err != nil {
		fmt.Println("fetch:", err)
		return 1
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Printf("fetched %d %q\n", resp.StatusCode, body)
	data, err := os.ReadFile(args[1])
	fmt.Printf("read %q %v\n", data, err)
	tmp := filepath.Join(os.TempDir(), "probe.txt")
	err = os.WriteFile(tmp, []byte("written"), 0o644)
	back, err2 := os.ReadFile(tmp)
	fmt.Printf("tmp %q %v %v\n", back, err, err2)
	err = os.WriteFile(filepath.Join(filepath.Dir(args[1]), "new.txt"), nil, 0o644)
	fmt.Printf("write beside %s: %v\n", filepath.Base(args[1]), err)
	_, err = os.Stat("/etc/hostname")
	fmt.Printf("outside: %v\n", err)
	wd, _ := os.Getwd()
	fmt.Printf("wd %s\n", wd)
	code, _ := strconv.Atoi(args[0])
	return code
}

// webgpu says whether navigator.gpu gives an adapter.
func webgpu() string {
	gpu := js.Global().Get("navigator").Get("gpu")
	if gpu.IsUndefined() {
		return "no navigator.gpu"
	}
	done := make(chan string, 1)
	then := js.FuncOf(func(_ js.Value, a []js.Value) any {
		if a[0].IsNull() {
			done <- "no adapter"
		} else {
			done <- "adapter"
		}
		return nil
	})
	fail := js.FuncOf(func(_ js.Value, a []js.Value) any {
		done <- "error: " + a[0].Call("toString").String()
		return nil
	})
	gpu.Call("requestAdapter").Call("then", then, fail)
	return <-done
}
