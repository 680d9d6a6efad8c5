package chromium

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// errorHeader carries the Node.js-style error code ("ENOENT") of a failed
// file operation; the worker's fs shim turns it into the program's errno.
const errorHeader = "X-Phi2-Error"

// maxRead bounds the bytes of one read; the program reads again for more.
const maxRead = 16 << 20

// fileServer answers the program's file operations on host directories,
// each seen at its own path: one read-only (Options.FS), one writable
// (Options.Writable). Reads are GET fs/stat?path=P[&lstat=1],
// fs/readdir?path=P and fs/read?path=P&off=O&n=N; writes are POSTs
// (fs_write.go).
type fileServer struct {
	mounts []mount
}

// mount is one host directory.
type mount struct {
	dir      string
	root     *os.Root // keeps symbolic links from leading outside dir
	writable bool
}

// newFileServer serves the directories readOnly and writable, either of
// which may be "".
func newFileServer(readOnly, writable string) (*fileServer, error) {
	f := &fileServer{}
	for _, m := range []mount{{dir: writable, writable: true}, {dir: readOnly}} {
		if m.dir == "" {
			continue
		}
		dir, err := filepath.Abs(m.dir)
		if err == nil {
			m.dir = dir
			m.root, err = os.OpenRoot(dir)
		}
		if err != nil {
			f.close()
			return nil, fmt.Errorf("chromium: %w", err)
		}
		f.mounts = append(f.mounts, m)
	}
	return f, nil
}

func (f *fileServer) close() {
	for _, m := range f.mounts {
		m.root.Close()
	}
}

func (f *fileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	m, rel, err := f.lookup(q.Get("path"))
	if err == nil {
		op := r.PathValue("op")
		switch {
		case r.Method == http.MethodGet && op == "stat":
			err = stat(w, m.root, rel, q.Get("lstat") == "1")
		case r.Method == http.MethodGet && op == "readdir":
			err = readdir(w, m.root, rel)
		case r.Method == http.MethodGet && op == "read":
			err = read(w, m.root, rel, q.Get("off"), q.Get("n"))
		default:
			err = f.change(w, r, m, rel, op)
		}
	}
	if err != nil {
		w.Header().Set(errorHeader, errorCode(err))
		w.WriteHeader(http.StatusNotFound)
	}
}

// lookup finds the mount holding path (absolute) and path inside it.
func (f *fileServer) lookup(path string) (*mount, string, error) {
	if !filepath.IsAbs(path) {
		return nil, "", syscall.EINVAL
	}
	path = filepath.Clean(path)
	for i := range f.mounts {
		rel, err := filepath.Rel(f.mounts[i].dir, path)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return &f.mounts[i], rel, nil
		}
	}
	return nil, "", syscall.ENOENT // outside the mounts nothing exists
}

func stat(w http.ResponseWriter, root *os.Root, rel string, lstat bool) error {
	info, err := root.Stat(rel)
	if lstat {
		info, err = root.Lstat(rel)
	}
	if err != nil {
		return err
	}
	mtime := info.ModTime().UnixMilli()
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(map[string]int64{
		"dev": 1, "ino": 0, "mode": int64(unixMode(info.Mode())), "nlink": 1, "uid": 0, "gid": 0, "rdev": 0,
		"size": info.Size(), "blksize": 4096, "blocks": (info.Size() + 511) / 512,
		"atimeMs": mtime, "mtimeMs": mtime, "ctimeMs": mtime,
	})
}

func readdir(w http.ResponseWriter, root *os.Root, rel string) error {
	d, err := root.Open(rel)
	if err != nil {
		return err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(names)
}

func read(w http.ResponseWriter, root *os.Root, rel, offText, nText string) error {
	off, err1 := strconv.ParseInt(offText, 10, 64)
	n, err2 := strconv.Atoi(nText)
	if err1 != nil || err2 != nil || off < 0 || n < 0 {
		return syscall.EINVAL
	}
	file, err := root.Open(rel)
	if err != nil {
		return err
	}
	defer file.Close()
	buf := make([]byte, min(n, maxRead))
	got, err := file.ReadAt(buf, off)
	if err != nil && err != io.EOF {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(buf[:got])
	return nil
}

// unixMode is m as a stat mode: type bits and permissions.
func unixMode(m fs.FileMode) uint32 {
	t := uint32(0o100000) // regular
	switch {
	case m&fs.ModeDir != 0:
		t = 0o040000
	case m&fs.ModeSymlink != 0:
		t = 0o120000
	case m&fs.ModeNamedPipe != 0:
		t = 0o010000
	case m&fs.ModeSocket != 0:
		t = 0o140000
	case m&fs.ModeCharDevice != 0:
		t = 0o020000
	case m&fs.ModeDevice != 0:
		t = 0o060000
	}
	return t | uint32(m.Perm())
}

// errnoCodes are the Node.js-style codes of the errors a read can meet.
var errnoCodes = map[syscall.Errno]string{
	syscall.ENOENT: "ENOENT", syscall.EACCES: "EACCES", syscall.ENOTDIR: "ENOTDIR", syscall.EISDIR: "EISDIR",
	syscall.EINVAL: "EINVAL", syscall.ENOSYS: "ENOSYS", syscall.ELOOP: "ELOOP", syscall.EEXIST: "EEXIST",
	syscall.ENOTEMPTY: "ENOTEMPTY", syscall.EROFS: "EROFS", syscall.EXDEV: "EXDEV", syscall.EBADF: "EBADF",
	syscall.EPERM: "EPERM", syscall.ENOSPC: "ENOSPC",
}

// errorCode is the Node.js-style code of err, which Go's js runtime maps
// to an errno.
func errorCode(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) && errnoCodes[errno] != "" {
		return errnoCodes[errno]
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "ENOENT"
	case errors.Is(err, fs.ErrPermission), strings.Contains(err.Error(), "escapes"): // os.Root refusing a link out
		return "EACCES"
	}
	return "EIO"
}
