package kernels

import (
	"context"
	"encoding/binary"
	"math"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// device is a shared memory with kernel instances over it, as the host
// sets them up: a memory module instantiated as "env", then the kernel
// module once per thread. Addresses below 256 are never handed out, so 0
// stays "none".
type device struct {
	tb    testing.TB
	ctx   context.Context
	mem   api.Memory
	fns   [][]api.Function // [instance][kernel id]
	next  uint32
	stack []uint64
}

// memoryModule encodes (module (memory (export "memory") min max shared)).
func memoryModule(minPages, maxPages uint32) []byte {
	limits := append([]byte{0x03}, binary.AppendUvarint(nil, uint64(minPages))...)
	limits = binary.AppendUvarint(limits, uint64(maxPages))
	mem := append([]byte{0x01}, limits...)
	b := []byte{0, 'a', 's', 'm', 1, 0, 0, 0, 5, byte(len(mem))}
	b = append(b, mem...)
	exp := append([]byte{0x01, 6}, "memory"...)
	exp = append(exp, 0x02, 0x00)
	b = append(b, 7, byte(len(exp)))
	return append(b, exp...)
}

// newDevice makes a device of the given size (bytes, rounded up to pages)
// with the given number of kernel instances, closed when tb ends.
func newDevice(tb testing.TB, bytes, instances int) *device {
	tb.Helper()
	ctx := context.Background()
	pages := uint32((bytes + 65535) >> 16)
	cfg := wazero.NewRuntimeConfigCompiler().
		WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesThreads)
	rt := wazero.NewRuntimeWithConfig(ctx, cfg)
	tb.Cleanup(func() { rt.Close(ctx) })
	env, err := rt.InstantiateWithConfig(ctx, memoryModule(pages, pages),
		wazero.NewModuleConfig().WithName("env"))
	if err != nil {
		tb.Fatalf("memory module: %v", err)
	}
	compiled, err := rt.CompileModule(ctx, Module)
	if err != nil {
		tb.Fatalf("compile kernels: %v", err)
	}
	d := &device{tb: tb, ctx: ctx, mem: env.Memory(), next: 256, stack: make([]uint64, 16)}
	for range instances {
		mod, err := rt.InstantiateModule(ctx, compiled, wazero.NewModuleConfig().WithName(""))
		if err != nil {
			tb.Fatalf("instantiate kernels: %v", err)
		}
		fns := make([]api.Function, len(Names))
		for id, name := range Names {
			if fns[id] = mod.ExportedFunction(name); fns[id] == nil {
				tb.Fatalf("kernel module does not export %s", name)
			}
		}
		d.fns = append(d.fns, fns)
	}
	return d
}

// reset forgets every allocation.
func (d *device) reset() { d.next = 256 }

// alloc reserves n bytes, 64-byte aligned, filled with a NaN pattern so a
// kernel that reads what it should not shows it.
func (d *device) alloc(n int) uint32 {
	at := d.next
	d.next = (d.next + uint32(n) + 63) &^ 63
	if uint64(d.next) > uint64(d.mem.Size()) {
		d.tb.Fatalf("device memory of %d bytes exhausted", d.mem.Size())
	}
	buf, _ := d.mem.Read(at, uint32(n))
	for i := range buf {
		buf[i] = 0xff
	}
	return at
}

// untouched fails the test unless bytes [from, to), allocated and not
// written since, still hold alloc's fill: what is checks which region.
func (d *device) untouched(what string, from, to uint32) {
	d.tb.Helper()
	b, _ := d.mem.Read(from, to-from)
	for i, x := range b {
		if x != 0xff {
			d.tb.Fatalf("%s: byte %d past its end was written", what, i)
		}
	}
}

// put copies b to a new allocation.
func (d *device) put(b []byte) uint32 {
	at := d.alloc(len(b))
	d.mem.Write(at, b)
	return at
}

func (d *device) putF32(v []float32) uint32 { return d.put(f32Bytes(v)) }

func (d *device) putI32(v []int32) uint32 {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
	}
	return d.put(b)
}

// f32s reads n float32 at addr.
func (d *device) f32s(addr uint32, n int) []float32 {
	b, ok := d.mem.Read(addr, uint32(4*n))
	if !ok {
		d.tb.Fatalf("read of %d floats at %d outside memory", n, addr)
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// call runs kernel id on instance inst; a trap fails the test.
func (d *device) call(inst, id int, args ...uint32) {
	if err := d.try(inst, id, args...); err != nil {
		d.tb.Fatalf("%s%v: %v", Names[id], args, err)
	}
}

// try runs kernel id on instance inst; calls on instance 0 do not allocate.
func (d *device) try(inst, id int, args ...uint32) error {
	stack := d.stack[:max(len(args), 1)]
	if inst > 0 { // other instances may run concurrently: own stack
		stack = make([]uint64, max(len(args), 1))
	}
	for i, a := range args {
		stack[i] = uint64(a)
	}
	return d.fns[inst][id].CallWithStack(d.ctx, stack)
}

func f32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func bits(f float32) uint32 { return math.Float32bits(f) }
