//go:build !wasm

package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/phi2web/phi2web/runtime/modeldir"
	"github.com/phi2web/phi2web/runtime/weights"
)

// storedModel converts the tiny model to q4 in shards of shardSize bytes
// and returns its directory and the total of its compressed shards.
func storedModel(t *testing.T, shardSize string) (string, int64) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "q4")
	if _, errOut, code := runCLI("convert", "--in", tinyDir, "--out", dir, "--quant", "q4", "--shard-size", shardSize); code != 0 {
		t.Fatalf("convert: %s", errOut)
	}
	md, err := modeldir.Open(weights.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, s := range md.Shards() {
		total += s.CompressedSize
	}
	return dir, total
}

// TestBrowserStore: a model directory served by URL is downloaded into
// IndexedDB once and then runs with the server gone; a download cut half
// way resumes where it stopped; a corrupt byte on the wire is fetched
// again; a quota below the model fails early and leaves nothing usable;
// two copies of the page started together download it once; a byte
// flipped in a stored shard is caught on a later load, and that shard
// alone is fetched again.
func TestBrowserStore(t *testing.T) {
	useJSGuest(t)
	dir, total := storedModel(t, "524288")
	// The reference: the same page and backend, reading the model straight
	// from the server (no store).
	ref := newModelServer(t, dir)
	res, errOut, code := storedRun(t, ref, t.TempDir(), "PHI2_STORE", "off")
	if code != 0 || len(res.IDs) != 8 {
		t.Fatalf("reference run: exit %d: %s", code, errOut)
	}
	os.Unsetenv("PHI2_STORE")
	want := res.IDs
	check := func(t *testing.T, name string, res generateOutput, errOut string, code int) {
		t.Helper()
		if code != 0 || !slices.Equal(res.IDs, want) {
			t.Fatalf("%s: exit %d, ids %v, want %v: %s", name, code, res.IDs, want, errOut)
		}
	}

	t.Run("offline", func(t *testing.T) {
		srv, profile := newModelServer(t, dir), t.TempDir()
		res, errOut, code := storedRun(t, srv, profile)
		check(t, "first load", res, errOut, code)
		if got := srv.shardBytes(); got != total {
			t.Errorf("first load: the server sent %d shard bytes, want %d", got, total)
		}
		srv.Close()
		res, errOut, code = storedRun(t, srv, profile, "PHI2_PROGRESS", "all")
		check(t, "second load, server stopped", res, errOut, code)
		if !strings.Contains(errOut, "\rstored [") {
			t.Errorf("second load does not say it read stored shards: %s", errOut)
		}
	})
	t.Run("resume", func(t *testing.T) {
		// One shard of the whole model, cut at 6 MB: a restart would send
		// those 6 MB again. The page may lose what it had received but not
		// yet read when the connection broke, so the allowance is one
		// stored chunk (4 MiB).
		one, size := storedModel(t, "16777216")
		srv := newModelServer(t, one)
		srv.cutAfter = 6_000_000
		res, errOut, code := storedRun(t, srv, t.TempDir())
		if code != 0 || len(res.IDs) != 8 {
			t.Fatalf("cut download: exit %d: %s", code, errOut)
		}
		got := srv.shardBytes()
		if got < size || got > size+4<<20 {
			t.Errorf("the server sent %d bytes for a model of %d: the cut shard was not resumed", got, size)
		}
		t.Logf("cut at 6 MB: the server sent %d bytes for a model of %d", got, size)
	})
	t.Run("corrupt", func(t *testing.T) {
		srv := newModelServer(t, dir)
		srv.flipOnce = true
		res, errOut, code := storedRun(t, srv, t.TempDir())
		check(t, "flipped byte", res, errOut, code)
		if got := srv.shardBytes(); got <= total {
			t.Errorf("the server sent %d shard bytes: the corrupt shard was not fetched again", got)
		}
	})
	t.Run("damaged in the store", func(t *testing.T) {
		srv, profile := newModelServer(t, dir), t.TempDir()
		res, errOut, code := storedRun(t, srv, profile)
		check(t, "first load", res, errOut, code)
		md, err := modeldir.Open(weights.Dir(dir))
		if err != nil {
			t.Fatal(err)
		}
		bad := md.Shards()[1]
		before := srv.shardBytes()
		res, errOut, code = storedRun(t, srv, profile, "PHI2_STORE_DAMAGE", bad.File)
		check(t, "load after damage", res, errOut, code)
		if got := srv.shardBytes() - before; got != bad.CompressedSize {
			t.Errorf("after a flipped byte in %s the server sent %d shard bytes, want that shard's %d", bad.File, got, bad.CompressedSize)
		}
		os.Unsetenv("PHI2_STORE_DAMAGE")
		srv.Close()
		res, errOut, code = storedRun(t, srv, profile)
		check(t, "offline after the repair", res, errOut, code)
	})
	t.Run("decoded by the browser", func(t *testing.T) {
		srv, profile := newModelServer(t, dir), t.TempDir()
		srv.brEncoded = true
		res, errOut, code := storedRun(t, srv, profile)
		check(t, "shards sent with Content-Encoding: br", res, errOut, code)
		if got := srv.shardBytes(); got != total || srv.encoded == 0 {
			t.Errorf("the server sent %d shard bytes in %d encoded answers, want %d", got, srv.encoded, total)
		}
		srv.Close()
		res, errOut, code = storedRun(t, srv, profile)
		check(t, "offline after", res, errOut, code)
	})
	t.Run("quota", func(t *testing.T) {
		srv, profile := newModelServer(t, dir), t.TempDir()
		_, errOut, code := storedRun(t, srv, profile, "PHI2_STORE_QUOTA", "1000")
		if code == 0 || !strings.Contains(errOut, "MB") || srv.shardBytes() != 0 {
			t.Fatalf("quota of 1000 bytes: exit %d, %d bytes sent, message %q", code, srv.shardBytes(), errOut)
		}
		srv.Close()
		os.Unsetenv("PHI2_STORE_QUOTA")
		if _, _, code := storedRun(t, srv, profile); code == 0 {
			t.Error("after a refused download the model loaded offline: something was marked usable")
		}
	})
	t.Run("two pages", func(t *testing.T) {
		srv := newModelServer(t, dir)
		t.Setenv("PHI2_COPIES", "2")
		t.Setenv("PHI2_CHROMIUM_PROFILE", t.TempDir())
		out, errOut, code := runCLI("generate", "--model", srv.URL+"/", "--ids", "50256,464,3139,7586,21831",
			"--max-tokens", "8", "--ignore-eos", "--json", "--engine=chromium", "--backend=simd")
		if code != 0 || strings.Count(out, `"ids"`) != 2 {
			t.Fatalf("two copies: exit %d, %q %s", code, out, errOut)
		}
		if got := srv.shardBytes(); got != total {
			t.Errorf("two pages made the server send %d shard bytes, want %d (one download)", got, total)
		}
	})
}

// TestBrowserStoreHF: a Hugging Face repository given by URL is quantized
// in the page into IndexedDB; its logits equal those of `phi2 convert` of
// the same checkpoint, and the stored conversion loads with the server
// gone.
func TestBrowserStoreHF(t *testing.T) {
	useJSGuest(t)
	dir := filepath.Join(t.TempDir(), "q4")
	if _, errOut, code := runCLI("convert", "--in", tinyDir, "--out", dir, "--quant", "q4"); code != 0 {
		t.Fatalf("convert: %s", errOut)
	}
	ids := []string{"--ids", "50256,464,3139,7586,21831", "--engine=chromium", "--backend=simd"}
	t.Setenv("PHI2_STORE", "off")
	want := logitsOf(t, append([]string{"logits", "--model", dir}, ids...)...)
	os.Unsetenv("PHI2_STORE")

	srv := newModelServer(t, tinyDir) // config.json and model.safetensors, as a repository serves them
	t.Setenv("PHI2_CHROMIUM_PROFILE", t.TempDir())
	for _, run := range []string{"converted in the page", "stored, server stopped"} {
		got := logitsOf(t, append([]string{"logits", "--model", srv.URL + "/"}, ids...)...)
		if !slices.Equal(got.Logits, want.Logits) {
			t.Fatalf("%s: logits differ from those of phi2 convert", run)
		}
		srv.Close()
	}
}

// TestURLOnEveryEngine: a model directory URL and a Hugging Face URL (with
// --quant q4) give, on the native and wazero engines, the logits of the
// same model read from disk; the wazero guest, which has no network, gets
// them through the cache the command fills, and both engines run from
// that cache with the server gone.
func TestURLOnEveryEngine(t *testing.T) {
	useGuest(t)
	dir, _ := storedModel(t, "524288")
	t.Setenv("PHI2_CACHE", t.TempDir())
	ids := []string{"--ids", "50256,464,3139,7586,21831"}
	for _, engine := range []string{"native", "wazero"} {
		want := logitsOf(t, append([]string{"logits", "--model", dir, "--engine", engine}, ids...)...)
		byDir, byRepo := newModelServer(t, dir), newModelServer(t, tinyDir)
		for _, round := range []string{"fetched", "cached, server gone"} {
			for _, url := range []string{byDir.URL + "/", byRepo.URL + "/"} {
				got := logitsOf(t, append([]string{"logits", "--model", url, "--quant", "q4", "--engine", engine}, ids...)...)
				if !slices.Equal(got.Logits, want.Logits) {
					t.Fatalf("%s, %s, %s: logits differ from the model on disk", engine, round, url)
				}
			}
			byDir.Close()
			byRepo.Close()
		}
	}
}
