package chromium

import (
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"syscall"
)

// The open flags of the worker's fs shim (runner.js), Linux's values.
const (
	jsWronly    = 1
	jsRdwr      = 2
	jsCreat     = 64
	jsExcl      = 128
	jsTrunc     = 512
	jsAppend    = 1024
	jsDirectory = 65536
	jsWriting   = jsWronly | jsRdwr | jsCreat | jsTrunc | jsAppend
)

// open checks that rel may be opened with the shim's flags, creating or
// truncating it as they ask; the worker then reads and writes by path.
func open(m *mount, rel string, flags int, perm fs.FileMode) error {
	if flags&jsWriting == 0 {
		info, err := m.root.Stat(rel)
		if err == nil && flags&jsDirectory != 0 && !info.IsDir() {
			err = syscall.ENOTDIR
		}
		return err
	}
	if !m.writable {
		return syscall.EROFS
	}
	osFlags := os.O_WRONLY
	for _, f := range []struct{ js, os int }{{jsRdwr, os.O_RDWR}, {jsCreat, os.O_CREATE}, {jsExcl, os.O_EXCL}, {jsTrunc, os.O_TRUNC}} {
		if flags&f.js != 0 {
			osFlags |= f.os
		}
	}
	if flags&jsRdwr != 0 {
		osFlags &^= os.O_WRONLY
	}
	f, err := m.root.OpenFile(rel, osFlags, perm)
	if err != nil {
		return err
	}
	return f.Close()
}

// change performs a POSTed operation that writes: fs/write?path=P&off=O
// (the body; off −1 appends; answers the bytes written), fs/truncate?size=,
// fs/mkdir?mode=, fs/unlink, fs/rmdir, fs/rename?to=, fs/chmod?mode=.
func (f *fileServer) change(w http.ResponseWriter, r *http.Request, m *mount, rel, op string) error {
	q := r.URL.Query()
	num := func(name string) int64 {
		n, err := strconv.ParseInt(q.Get(name), 10, 64)
		if err != nil {
			n = -2 // invalid for every use
		}
		return n
	}
	if op == "open" {
		return open(m, rel, int(num("flags")), fs.FileMode(num("mode"))&fs.ModePerm)
	}
	if r.Method != http.MethodPost {
		return syscall.ENOSYS
	}
	if !m.writable {
		return syscall.EROFS
	}
	switch op {
	case "write":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return syscall.EIO
		}
		n, err := write(m.root, rel, num("off"), body)
		if err != nil {
			return err
		}
		fmt.Fprint(w, n)
		return nil
	case "truncate":
		file, err := m.root.OpenFile(rel, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer file.Close()
		return file.Truncate(num("size"))
	case "mkdir":
		return m.root.Mkdir(rel, fs.FileMode(num("mode"))&fs.ModePerm)
	case "unlink", "rmdir":
		info, err := m.root.Lstat(rel)
		switch {
		case err != nil:
			return err
		case op == "unlink" && info.IsDir():
			return syscall.EISDIR
		case op == "rmdir" && !info.IsDir():
			return syscall.ENOTDIR
		}
		return m.root.Remove(rel)
	case "rename":
		to, toRel, err := f.lookup(q.Get("to"))
		if err != nil {
			return err
		}
		if to != m {
			return syscall.EXDEV
		}
		return m.root.Rename(rel, toRel)
	case "chmod":
		return m.root.Chmod(rel, fs.FileMode(num("mode"))&fs.ModePerm)
	}
	return syscall.ENOSYS
}

// write writes data at off in rel, or at its end for off −1.
func write(root *os.Root, rel string, off int64, data []byte) (int, error) {
	if off < -1 {
		return 0, syscall.EINVAL
	}
	flags := os.O_WRONLY
	if off == -1 {
		flags |= os.O_APPEND
	}
	file, err := root.OpenFile(rel, flags, 0)
	if err != nil {
		return 0, err
	}
	defer file.Close()
	var n int
	if off == -1 {
		n, err = file.Write(data)
	} else {
		n, err = file.WriteAt(data, off)
	}
	return n, err
}
