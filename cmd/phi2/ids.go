package main

import (
	"strconv"
	"strings"
)

// parseIDs reads a comma-separated list of token ids.
func parseIDs(s string) ([]int32, error) {
	if strings.TrimSpace(s) == "" {
		return nil, usageErr("--ids is empty: give comma-separated token ids such as 50256,464")
	}
	parts := strings.Split(s, ",")
	ids := make([]int32, 0, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseInt(strings.TrimSpace(p), 10, 32)
		if err != nil {
			return nil, usageErr("--ids: item %d (%q) is not a token id", i+1, p)
		}
		ids = append(ids, int32(v))
	}
	return ids, nil
}

// formatIDs writes ids as a JSON array.
func formatIDs(ids []int32) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(int(id)))
	}
	b.WriteByte(']')
	return b.String()
}

// formatFloats writes float32 values as a JSON array, each in the shortest
// form that reads back to the same float32.
func formatFloats(v []float32) string {
	b := make([]byte, 0, len(v)*12)
	b = append(b, '[')
	for i, f := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendFloat(b, float64(f), 'g', -1, 32)
	}
	return string(append(b, ']'))
}
