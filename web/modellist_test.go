package web

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestOnlyTheModelsFiles: of a model directory the site serves the files
// its model names (a manifest and its shards; a Hugging Face config, its
// safetensors and their index), and answers 404 for every other file:
// dotfiles, notes, files of no model, subdirectories.
func TestOnlyTheModelsFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(model string, files ...string) string {
		for _, f := range files {
			data := []byte("data")
			switch f {
			case "manifest.json":
				data = []byte(`{"shards":[{"file":"shard-00000.bin.br"},{"file":"shard-00001.bin.br"}]}`)
			case "model.safetensors.index.json":
				data = []byte(`{"weight_map":{"a":"model-1.safetensors","b":"model-2.safetensors","c":"model-1.safetensors"}}`)
			}
			mustWrite(t, filepath.Join(dir, model, f), data)
		}
		return filepath.Join(dir, model)
	}
	stray := []string{".env", ".git/config", "notes.txt", "sub/config.json", "key.pem"}
	models := []Model{
		{Name: "converted", Path: write("converted", append(stray, "manifest.json", "shard-00000.bin.br", "shard-00001.bin.br", "shard-00002.bin.br", "config.json")...)},
		{Name: "hf", Path: write("hf", append(stray, "config.json", "model.safetensors", "tokenizer.json")...)},
		{Name: "hf-index", Path: write("hf-index", append(stray, "config.json", "model.safetensors.index.json", "model-1.safetensors", "model-2.safetensors", "model-3.safetensors")...)},
	}
	s, err := NewSite(SiteOptions{Models: models})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	served := map[string][]string{
		"converted": {"manifest.json", "shard-00000.bin.br", "shard-00001.bin.br"},
		"hf":        {"config.json", "model.safetensors"},
		"hf-index":  {"config.json", "model.safetensors.index.json", "model-1.safetensors", "model-2.safetensors"},
	}
	refused := map[string][]string{
		"converted": {"shard-00002.bin.br", "config.json"},
		"hf":        {"tokenizer.json"},
		"hf-index":  {"model-3.safetensors"},
	}
	ts := &testSite{Site: s}
	for _, m := range models {
		for _, f := range served[m.Name] {
			if w := ts.do("GET", "/models/"+m.Name+"/"+f, nil, nil); w.Code != http.StatusOK {
				t.Errorf("%s/%s: status %d, want 200", m.Name, f, w.Code)
			}
		}
		for _, f := range append(refused[m.Name], stray...) {
			if w := ts.do("GET", "/models/"+m.Name+"/"+f, nil, nil); w.Code != http.StatusNotFound {
				t.Errorf("%s/%s: status %d, want 404", m.Name, f, w.Code)
			}
		}
	}
}

// A directory that holds no model, or whose list names a file outside
// it, is refused when the site starts.
func TestModelListErrors(t *testing.T) {
	dir := t.TempDir()
	for name, files := range map[string]map[string]string{
		"empty":     {"notes.txt": "x"},
		"traversal": {"manifest.json": `{"shards":[{"file":"../secret"}]}`},
		"dotfile":   {"manifest.json": `{"shards":[{"file":".env"}]}`},
		"bad json":  {"manifest.json": `{"shards":`},
		"index":     {"config.json": "{}", "model.safetensors.index.json": `{"weight_map":{"a":"sub/x.safetensors"}}`},
	} {
		for f, data := range files {
			mustWrite(t, filepath.Join(dir, name, f), []byte(data))
		}
		s, err := NewSite(SiteOptions{Models: []Model{{Name: "m", Path: filepath.Join(dir, name)}}})
		if err == nil {
			s.Close()
			t.Errorf("%s: NewSite succeeded", name)
		} else if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "model m") {
			t.Errorf("%s: %q, want one line naming the model", name, err)
		}
	}
}
