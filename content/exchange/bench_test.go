package exchange

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"syscall"
	"testing"

	"github.com/punto-totem/punto/content"
)

// BenchmarkImport imports a generated catalog of 10,000 services into a
// new catalog file, from HSDS JSON and from the zipped HSDS CSV package:
// parsing, checking and writing (make bench; the goal is 10 s or less on
// a 2-core machine). "stream" is the path `punto catalog import` takes
// (CreateHSDSStream, CreateHSDSPackageStream from the zip, with the
// command's options: the package, above 4 MiB, goes through the staging
// table); "whole" reads the file whole first (Parse, then Create).
func BenchmarkImport(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	src := filepath.Join(dir, "gen.db")
	if err := content.Generate(ctx, src, content.GenerateOptions{Services: 10000, Seed: 10}); err != nil {
		b.Fatal(err)
	}
	st, err := content.Open(ctx, src)
	if err != nil {
		b.Fatal(err)
	}
	x, err := Read(ctx, st)
	st.Close()
	if err != nil {
		b.Fatal(err)
	}
	for _, format := range []string{FormatHSDS, FormatHSDSCSV} {
		var buf bytes.Buffer
		if err := x.Write(format, &buf); err != nil {
			b.Fatal(err)
		}
		data := buf.Bytes()
		b.Run(format+"/stream", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; b.Loop(); i++ {
				path := filepath.Join(dir, fmt.Sprintf("%s-stream-%d.db", format, i))
				var res *StreamResult
				var err error
				if format == FormatHSDS {
					res, err = CreateHSDSStream(ctx, path, bytes.NewReader(data), ImportOptions{})
				} else {
					zr, zerr := zip.NewReader(bytes.NewReader(data), int64(len(data)))
					if zerr != nil {
						b.Fatal(zerr)
					}
					res, err = CreateHSDSPackageStream(ctx, path, zr, ImportOptions{})
				}
				if err != nil {
					b.Fatal(err)
				}
				if res.Services != len(x.Services) {
					b.Fatalf("%d services imported, want %d", res.Services, len(x.Services))
				}
			}
			b.ReportMetric(float64(len(x.Services))*float64(b.N)/b.Elapsed().Seconds(), "services/s")
		})
		b.Run(format+"/whole", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; b.Loop(); i++ {
				y, err := Parse(format, data)
				if err != nil {
					b.Fatal(err)
				}
				if err := Create(ctx, filepath.Join(dir, fmt.Sprintf("%s-%d.db", format, i)), y, format); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(x.Services))*float64(b.N)/b.Elapsed().Seconds(), "services/s")
		})
	}
}

// streamSeed is the 500 services of a generated catalog, written in
// format: the records a streamed benchmark repeats under new IDs.
func streamSeed(b *testing.B, format string) *bytes.Buffer {
	ctx := context.Background()
	src := filepath.Join(b.TempDir(), "gen.db")
	if err := content.Generate(ctx, src, content.GenerateOptions{Services: 500, Seed: 11}); err != nil {
		b.Fatal(err)
	}
	st, err := content.Open(ctx, src)
	if err != nil {
		b.Fatal(err)
	}
	x, err := Read(ctx, st)
	st.Close()
	if err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	if err := x.Write(format, &out); err != nil {
		b.Fatal(err)
	}
	return &out
}

// streamMB is the size of a streamed benchmark's input in megabytes:
// PUNTO_STREAM_MB, 100 by default.
func streamMB(b *testing.B) int {
	v := os.Getenv("PUNTO_STREAM_MB")
	if v == "" {
		return 100
	}
	mb, err := strconv.Atoi(v)
	if err != nil || mb < 1 {
		b.Fatalf("PUNTO_STREAM_MB=%q: a whole number of megabytes", v)
	}
	return mb
}

// BenchmarkStreamImport100MB streams an HSDS page of about
// PUNTO_STREAM_MB megabytes (default 100; services of a generated
// catalog under new IDs, made as they are read) into a new catalog file,
// and reports the process's peak resident memory (make bench): it must
// stay bounded whatever the file's size (goal < 150 MiB).
func BenchmarkStreamImport100MB(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	out := streamSeed(b, FormatHSDS)
	var page struct{ Contents []json.RawMessage }
	if err := json.Unmarshal(out.Bytes(), &page); err != nil {
		b.Fatal(err)
	}
	mb := streamMB(b)
	limitHeapAsImportDoes(b)
	probe, size := &streamSource{elems: page.Contents}, 0
	for i := range 100 {
		size += len(probe.element(i)) + 1
	}
	n := mb << 20 / (size / 100)
	for i := 0; b.Loop(); i++ {
		s := &streamSource{elems: page.Contents, n: n, bad: -1}
		res, err := CreateHSDSStream(ctx, filepath.Join(dir, fmt.Sprintf("stream-%d.db", i)), s, ImportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(s.read)
		b.ReportMetric(float64(res.Services), "services")
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(ru.Maxrss)/1024, "peakRSS-MiB")
}

// flatSource generates a flat CSV of n services from a template's rows,
// service IDs renamed per copy: a file of any size in constant memory.
type flatSource struct {
	header []string
	rows   [][]string
	idCol  int
	locCol int
	n, i   int
	buf    bytes.Buffer
	w      *csv.Writer
	read   int64
}

func (s *flatSource) Read(p []byte) (int, error) {
	if s.w == nil {
		s.w = csv.NewWriter(&s.buf)
		_ = s.w.Write(s.header)
	}
	for s.buf.Len() < len(p) && s.i < s.n {
		row := append([]string(nil), s.rows[s.i%len(s.rows)]...)
		row[s.idCol] = fmt.Sprintf("%s-%d", row[s.idCol], s.i/len(s.rows))
		row[s.locCol] = fmt.Sprintf("%s-%d", row[s.locCol], s.i/len(s.rows))
		_ = s.w.Write(row)
		s.w.Flush()
		s.i++
	}
	s.w.Flush()
	if s.buf.Len() == 0 {
		return 0, io.EOF
	}
	n, _ := s.buf.Read(p)
	s.read += int64(n)
	return n, nil
}

// BenchmarkStreamImportCSV100MB is BenchmarkStreamImport100MB for the
// flat CSV template.
func BenchmarkStreamImportCSV100MB(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	out := streamSeed(b, FormatCSV)
	rows, err := csv.NewReader(bytes.NewReader(out.Bytes())).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	mb := streamMB(b)
	limitHeapAsImportDoes(b)
	n := mb << 20 / (out.Len() / (len(rows) - 1))
	for i := 0; b.Loop(); i++ {
		s := &flatSource{header: rows[0], rows: rows[1:], idCol: slices.Index(rows[0], "service_id"), locCol: slices.Index(rows[0], "location_id"), n: n}
		res, err := CreateFlatCSVStream(ctx, filepath.Join(dir, fmt.Sprintf("stream-%d.db", i)), s, ImportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(s.read)
		b.ReportMetric(float64(res.Services), "services")
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(ru.Maxrss)/1024, "peakRSS-MiB")
}

// limitHeapAsImportDoes sets the soft limit on the Go heap that `punto
// catalog import` sets for a streamed import, unless GOMEMLIMIT does.
func limitHeapAsImportDoes(b *testing.B) {
	if os.Getenv("GOMEMLIMIT") == "" {
		old := debug.SetMemoryLimit(64 << 20)
		b.Cleanup(func() { debug.SetMemoryLimit(old) })
	}
}
