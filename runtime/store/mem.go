package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ErrNoSpace is wrapped by an AppendShard or PutManifest refused for lack
// of space (a quota reached, a full disk).
var ErrNoSpace = errors.New("store: out of space")

// Mem returns a Store held in memory, for tests and for hosts without
// persistent storage. Its quota is unknown (0).
func Mem() Store { return MemWithQuota(0) }

// MemWithQuota returns a Mem store whose Estimate reports quota bytes and
// which refuses, with ErrNoSpace, writes that would take usage past it
// (0: no limit). Usage counts manifests and shard bytes.
func MemWithQuota(quota int64) Store {
	return &memStore{models: map[string]*memModel{}, quota: quota}
}

type memStore struct {
	models map[string]*memModel
	quota  int64
}

type memModel struct {
	manifest []byte
	shards   map[string]*memShard
	complete bool
}

type memShard struct {
	data     []byte
	verified bool
}

var _ Store = (*memStore)(nil)

func (s *memStore) model(url string) (*memModel, error) {
	m, ok := s.models[url]
	if !ok {
		return nil, fmt.Errorf("model %s: %w", url, ErrNotFound)
	}
	return m, nil
}

func (s *memStore) Models() ([]ModelInfo, error) {
	out := make([]ModelInfo, 0, len(s.models))
	for url, m := range s.models {
		info := ModelInfo{URL: url, Complete: m.complete}
		for _, sh := range m.shards {
			info.Bytes += int64(len(sh.data))
		}
		out = append(out, info)
	}
	slices.SortFunc(out, func(a, b ModelInfo) int { return strings.Compare(a.URL, b.URL) })
	return out, nil
}

func (s *memStore) Manifest(url string) ([]byte, error) {
	m, err := s.model(url)
	if err != nil {
		return nil, err
	}
	return bytes.Clone(m.manifest), nil
}

func (s *memStore) PutManifest(url string, data []byte) error {
	m, ok := s.models[url]
	if ok && bytes.Equal(m.manifest, data) {
		return nil
	}
	var freed int64
	if ok {
		freed = int64(len(m.manifest)) + m.bytes()
	}
	if err := s.reserve(int64(len(data)) - freed); err != nil {
		return err
	}
	s.models[url] = &memModel{manifest: bytes.Clone(data), shards: map[string]*memShard{}}
	return nil
}

func (s *memStore) RewriteManifest(url string, data []byte) error {
	m, err := s.model(url)
	if err != nil {
		return err
	}
	if err := s.reserve(int64(len(data) - len(m.manifest))); err != nil {
		return fmt.Errorf("model %s: manifest: %w", url, err)
	}
	m.manifest = bytes.Clone(data)
	m.complete = false
	return nil
}

func (s *memStore) ShardSize(url, shard string) (int64, error) {
	m, err := s.model(url)
	if err != nil {
		return 0, err
	}
	if sh := m.shards[shard]; sh != nil {
		return int64(len(sh.data)), nil
	}
	return 0, nil
}

func (s *memStore) AppendShard(url, shard string, offset int64, chunk []byte) error {
	m, err := s.model(url)
	if err != nil {
		return err
	}
	sh := m.shards[shard]
	if sh == nil {
		sh = &memShard{}
	}
	if offset != int64(len(sh.data)) {
		return fmt.Errorf("model %s: shard %s: append at offset %d, but %d bytes are stored", url, shard, offset, len(sh.data))
	}
	if len(chunk) == 0 {
		return nil
	}
	if err := s.reserve(int64(len(chunk))); err != nil {
		return fmt.Errorf("model %s: shard %s: %w", url, shard, err)
	}
	sh.data = append(sh.data, chunk...)
	sh.verified = false // the hash covered other bytes
	m.shards[shard] = sh
	return nil
}

func (s *memStore) ReadShard(url, shard string, off int64, p []byte) (int, error) {
	m, err := s.model(url)
	if err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, fmt.Errorf("model %s: shard %s: negative offset %d", url, shard, off)
	}
	var data []byte
	if sh := m.shards[shard]; sh != nil {
		data = sh.data
	}
	if off >= int64(len(data)) {
		return 0, io.EOF
	}
	n := copy(p, data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (s *memStore) DeleteShard(url, shard string) error {
	m, err := s.model(url)
	if err != nil {
		return err
	}
	delete(m.shards, shard)
	return nil
}

func (s *memStore) SetVerified(url, shard string, ok bool) error {
	m, err := s.model(url)
	if err != nil {
		return err
	}
	sh := m.shards[shard]
	if sh == nil {
		if !ok {
			return nil
		}
		sh = &memShard{}
		m.shards[shard] = sh
	}
	sh.verified = ok
	return nil
}

func (s *memStore) Verified(url, shard string) (bool, error) {
	m, err := s.model(url)
	if err != nil {
		return false, err
	}
	sh := m.shards[shard]
	return sh != nil && sh.verified, nil
}

func (s *memStore) SetComplete(url string, complete bool) error {
	m, err := s.model(url)
	if err != nil {
		return err
	}
	m.complete = complete
	return nil
}

func (s *memStore) Delete(url string) error {
	delete(s.models, url)
	return nil
}

func (s *memStore) DeleteAll() error {
	clear(s.models)
	return nil
}

func (s *memStore) Estimate() (usage, quota int64, err error) {
	return s.usage(), s.quota, nil
}

func (s *memStore) usage() int64 {
	var n int64
	for _, m := range s.models {
		n += int64(len(m.manifest)) + m.bytes()
	}
	return n
}

// reserve refuses growing usage by n bytes past the quota.
func (s *memStore) reserve(n int64) error {
	if s.quota > 0 && n > 0 && s.usage()+n > s.quota {
		return fmt.Errorf("%d more bytes would exceed the quota of %d: %w", n, s.quota, ErrNoSpace)
	}
	return nil
}

func (m *memModel) bytes() int64 {
	var n int64
	for _, sh := range m.shards {
		n += int64(len(sh.data))
	}
	return n
}

var _ Lister = (*memStore)(nil)

func (s *memStore) Shards(url string) (map[string]ShardState, error) {
	m, err := s.model(url)
	if err != nil {
		return nil, err
	}
	out := make(map[string]ShardState, len(m.shards))
	for name, sh := range m.shards {
		out[name] = ShardState{Size: int64(len(sh.data)), Verified: sh.verified}
	}
	return out, nil
}
