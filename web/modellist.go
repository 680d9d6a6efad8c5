package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// The files of a model directory that the site serves: those the model
// names, nothing else (no dotfiles, notes or keys that happen to lie
// beside it).
const (
	manifestFile = "manifest.json"                // a converted model: it and its shards
	configFile   = "config.json"                  // a Hugging Face directory: it and its safetensors
	singleFile   = "model.safetensors"            // one safetensors file,
	indexFile    = "model.safetensors.index.json" // or an index naming several
	maxListFile  = 16 << 20                       // the most read of a manifest or index
)

// modelList returns the files of the model directory root serves.
func modelList(root *os.Root) (map[string]bool, error) {
	switch names, err := namedIn(root, manifestFile, func(data []byte) ([]string, error) {
		var m struct {
			Shards []struct {
				File string `json:"file"`
			} `json:"shards"`
		}
		err := json.Unmarshal(data, &m)
		var files []string
		for _, s := range m.Shards {
			files = append(files, s.File)
		}
		return files, err
	}); {
	case err == nil:
		return names, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	if _, err := root.Stat(configFile); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("holds neither %s nor %s", manifestFile, configFile)
		}
		return nil, err
	}
	names := map[string]bool{configFile: true}
	if _, err := root.Stat(singleFile); err == nil {
		names[singleFile] = true
	}
	index, err := namedIn(root, indexFile, func(data []byte) ([]string, error) {
		var ix struct {
			WeightMap map[string]string `json:"weight_map"`
		}
		err := json.Unmarshal(data, &ix)
		var files []string
		for _, f := range ix.WeightMap {
			files = append(files, f)
		}
		return files, err
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for name := range index {
		names[name] = true
	}
	return names, nil
}

// namedIn reads the list file name and returns it with the files that
// parse finds named in it; a name that is not a plain file name is an
// error.
func namedIn(root *os.Root, name string, parse func([]byte) ([]string, error)) (map[string]bool, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxListFile+1))
	if err == nil && len(data) > maxListFile {
		err = fmt.Errorf("more than %d bytes", maxListFile)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	files, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	names := map[string]bool{name: true}
	for _, file := range files {
		if !plainName(file) {
			return nil, fmt.Errorf("%s names %q, which is not a plain file name", name, file)
		}
		names[file] = true
	}
	return names, nil
}

// plainName accepts letters, digits, '.', '-' and '_', not first a '.'.
func plainName(s string) bool {
	if s == "" || len(s) > 255 || s[0] == '.' {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}
