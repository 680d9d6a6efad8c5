package weights

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/phi2web/phi2web/runtime/tensor"
)

// MaxHeaderSize bounds the JSON header of a safetensors file (bytes).
const MaxHeaderSize = 100 << 20

// TensorInfo describes one stored tensor.
type TensorInfo struct {
	DType  tensor.DType
	Shape  []int
	Size   int64  // bytes: prod(Shape) · DType.Size()
	File   string // name of the file that holds it
	Offset int64  // absolute offset of its first byte in File
}

// Header is the parsed, validated header of one safetensors file.
type Header struct {
	Metadata  map[string]string // __metadata__; empty when absent
	Tensors   map[string]TensorInfo
	DataStart int64 // 8 + header length: where data_offsets count from
}

// ParseHeader reads and validates the header of the safetensors file f,
// called name in errors. Every tensor it returns has a supported dtype, a
// byte size matching its shape, and lies inside the file without overlapping
// another tensor. The first problem found is reported.
func ParseHeader(name string, f File) (*Header, error) {
	size := f.Size()
	if size < 8 {
		return nil, fmt.Errorf("%s: file is %d bytes, too short for the 8-byte header length", name, size)
	}
	var lenBuf [8]byte
	if err := readFull(f, lenBuf[:], 0); err != nil {
		return nil, fmt.Errorf("%s: header length: %v", name, err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > MaxHeaderSize {
		return nil, fmt.Errorf("%s: header length %d exceeds the limit of %d bytes", name, n, MaxHeaderSize)
	}
	if int64(n) > size-8 {
		return nil, fmt.Errorf("%s: header length %d runs past the end of the %d-byte file", name, n, size)
	}
	buf := make([]byte, n)
	if err := readFull(f, buf, 8); err != nil {
		return nil, fmt.Errorf("%s: header: %v", name, err)
	}
	if !utf8.Valid(buf) {
		return nil, fmt.Errorf("%s: header is not valid UTF-8", name)
	}

	h := &Header{Metadata: map[string]string{}, Tensors: map[string]TensorInfo{}, DataStart: 8 + int64(n)}
	dataLen := size - h.DataStart
	type span struct {
		name       string
		begin, end int64
	}
	var spans []span
	err := eachMember(buf, func(key string, raw json.RawMessage) error {
		if key == "__metadata__" {
			if err := parseMetadata(raw, h.Metadata); err != nil {
				return fmt.Errorf("__metadata__: %v", err)
			}
			return nil
		}
		info, begin, end, err := parseEntry(raw, dataLen)
		if err != nil {
			return fmt.Errorf("tensor %s: %v", showName(key), err)
		}
		info.File = name
		info.Offset = h.DataStart + begin
		h.Tensors[key] = info
		if begin < end {
			spans = append(spans, span{key, begin, end})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: header: %v", name, err)
	}

	slices.SortFunc(spans, func(a, b span) int {
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end))
	})
	for i := 1; i < len(spans); i++ {
		if p, s := spans[i-1], spans[i]; s.begin < p.end {
			return nil, fmt.Errorf("%s: tensors %s (data_offsets [%d, %d]) and %s ([%d, %d]) overlap",
				name, showName(p.name), p.begin, p.end, showName(s.name), s.begin, s.end)
		}
	}
	return h, nil
}

func parseMetadata(raw json.RawMessage, into map[string]string) error {
	if string(raw) == "null" {
		return nil
	}
	return eachMember(raw, func(key string, v json.RawMessage) error {
		var s string
		if v[0] != '"' || json.Unmarshal(v, &s) != nil {
			return fmt.Errorf("value of %s is %s, want a string", showName(key), clip(v))
		}
		into[key] = s
		return nil
	})
}

// parseEntry reads {"dtype":..,"shape":[..],"data_offsets":[b,e]} and checks
// it against a data section of dataLen bytes. Other fields are ignored.
func parseEntry(raw json.RawMessage, dataLen int64) (info TensorInfo, begin, end int64, err error) {
	var dtype, shape, offsets json.RawMessage
	err = eachMember(raw, func(key string, v json.RawMessage) error {
		switch key {
		case "dtype":
			dtype = v
		case "shape":
			shape = v
		case "data_offsets":
			offsets = v
		}
		return nil
	})
	switch {
	case err != nil:
		return info, 0, 0, err
	case dtype == nil:
		return info, 0, 0, fmt.Errorf("missing dtype")
	case shape == nil:
		return info, 0, 0, fmt.Errorf("missing shape")
	case offsets == nil:
		return info, 0, 0, fmt.Errorf("missing data_offsets")
	}

	var dt string
	if dtype[0] != '"' || json.Unmarshal(dtype, &dt) != nil {
		return info, 0, 0, fmt.Errorf("dtype %s is not a string", clip(dtype))
	}
	if info.DType, err = tensor.ParseFloatDType(dt); err != nil {
		return info, 0, 0, err
	}
	dims, err := intArray("shape", shape)
	if err != nil {
		return info, 0, 0, err
	}
	info.Shape = make([]int, len(dims))
	for i, d := range dims {
		info.Shape[i] = int(d)
	}
	offs, err := intArray("data_offsets", offsets)
	if err != nil {
		return info, 0, 0, err
	}
	if len(offs) != 2 {
		return info, 0, 0, fmt.Errorf("data_offsets has %d values, want [begin, end]", len(offs))
	}
	begin, end = offs[0], offs[1]
	if begin > end {
		return info, 0, 0, fmt.Errorf("data_offsets [%d, %d]: begin after end", begin, end)
	}
	if end > dataLen {
		return info, 0, 0, fmt.Errorf("data_offsets [%d, %d] run past the end of the %d-byte data section", begin, end, dataLen)
	}
	count := tensor.NumElements(info.Shape)
	item := int64(info.DType.Size())
	if count < 0 || count > math.MaxInt64/item {
		return info, 0, 0, fmt.Errorf("shape %v has too many elements", info.Shape)
	}
	info.Size = count * item
	if err := MaxTensorBytes.Check(info.Size); err != nil {
		return info, 0, 0, fmt.Errorf("%s %v: %v", info.DType, info.Shape, err)
	}
	if end-begin != info.Size {
		return info, 0, 0, fmt.Errorf("data_offsets [%d, %d] hold %d bytes, but %s %v needs %d",
			begin, end, end-begin, info.DType, info.Shape, info.Size)
	}
	return info, begin, end, nil
}

// intArray reads a JSON array of non-negative integers.
func intArray(field string, raw json.RawMessage) ([]int64, error) {
	var elems []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &elems) != nil {
		return nil, fmt.Errorf("%s %s is not an array", field, clip(raw))
	}
	out := make([]int64, len(elems))
	for i, e := range elems {
		v, err := parseInt(e)
		if err != nil || v < 0 || v > math.MaxInt {
			return nil, fmt.Errorf("%s[%d] = %s: want a non-negative integer", field, i, clip(e))
		}
		out[i] = v
	}
	return out, nil
}
