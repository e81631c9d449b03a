package kiosk

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"net"
	"path"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/punto-totem/punto/assets"
	"github.com/valyala/fasthttp"
)

// Compression. The web app's files are compressed once, at their best
// (gzip 9 and brotli 11; the vendored libraries' brotli is the build-time
// copy of assets.Brotli), in the background when a client off loopback
// first asks for a compressed one (a totem's own screen never does, so a
// totem never pays for it): a file asked for before its turn goes out as
// it is. API answers above
// compressMin bytes are compressed per request, quickly, when the client
// asks, except on loopback, where the totem's own browser would only pay
// for it.

// compressMin is the smallest answer worth compressing: below it the
// headers and the CPU cost more than the bytes saved.
const compressMin = 1024

// encoding is the content coding a request accepts best: "br", "gzip" or
// "" (identity). A coding given q=0 is refused.
func encoding(c *fiber.Ctx) string {
	ae := c.Get(fiber.HeaderAcceptEncoding)
	if ae == "" {
		return ""
	}
	br, gz := false, false
	for _, part := range strings.Split(ae, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok && strings.Trim(q, "0.") == "" {
			continue // q=0: not acceptable
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "br":
			br = true
		case "gzip":
			gz = true
		}
	}
	switch {
	case br:
		return "br"
	case gz:
		return "gzip"
	}
	return ""
}

// compressible reports whether a content type gains from compression.
func compressible(contentType string) bool {
	ct, _, _ := strings.Cut(contentType, ";")
	ct = strings.TrimSpace(ct)
	return strings.HasPrefix(ct, "text/") || strings.HasSuffix(ct, "json") || strings.HasSuffix(ct, "javascript") ||
		strings.HasSuffix(ct, "+xml") || ct == "application/xml" || ct == "application/manifest+json"
}

// compressAnswer compresses what the handlers after it answer (see
// compressMin), saying Vary: Accept-Encoding on every answer that could
// have been compressed.
func compressAnswer(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err
	}
	res := c.Response()
	if res.IsBodyStream() || len(res.Header.Peek(fiber.HeaderContentEncoding)) > 0 || !compressible(string(res.Header.ContentType())) {
		return nil
	}
	body := res.Body()
	if len(body) < compressMin {
		return nil
	}
	res.Header.Add(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
	if fromLoopback(c) {
		return nil
	}
	enc := encoding(c)
	if enc == "" {
		return nil
	}
	bp := jsonBufs.Get().(*[]byte)
	defer jsonBufs.Put(bp)
	out := (*bp)[:0]
	if enc == "br" {
		out = fasthttp.AppendBrotliBytesLevel(out, body, 5)
	} else {
		out = fasthttp.AppendGzipBytesLevel(out, body, 6)
	}
	res.SetBody(out)
	res.Header.Set(fiber.HeaderContentEncoding, enc)
	*bp = out[:0]
	return nil
}

// fromLoopback reports whether the client is on this machine: the
// address the request came from, or behind a trusted reverse proxy on
// this machine (the portal's nginx) the one it forwarded.
func fromLoopback(c *fiber.Ctx) bool {
	ip := c.Context().RemoteIP()
	if ip.IsLoopback() && c.IP() != ip.String() {
		ip = net.ParseIP(c.IP()) // what a trusted proxy says
	}
	return ip != nil && ip.IsLoopback()
}

// precompressed holds the web app's files compressed once.
type precompressed struct {
	mu    sync.RWMutex
	files map[string]*variants // by tree hash and name
}

// variants is one file compressed both ways.
type variants struct{ gzip, br []byte }

var static = &precompressed{files: map[string]*variants{}}

// warm compresses every compressible file of the site's tree not yet
// compressed. It runs once per tree, in the background.
func (p *precompressed) warm(site *assets.Site) {
	_ = fs.WalkDir(site.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !compressible(mimeOf(name)) {
			return nil
		}
		key := site.Hash() + "/" + name
		p.mu.RLock()
		_, done := p.files[key]
		p.mu.RUnlock()
		if done {
			return nil
		}
		b, err := fs.ReadFile(site.FS(), name)
		if err != nil || len(b) < compressMin {
			return nil
		}
		v := compressBest(name, b)
		p.mu.Lock()
		p.files[key] = v
		p.mu.Unlock()
		return nil
	})
}

// compressBest compresses b, the tree's file name, at the best levels
// (brotli from its build-time copy when there is one); a coding that
// does not make it smaller is left out.
func compressBest(name string, b []byte) *variants {
	v := &variants{}
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if _, err := w.Write(b); err == nil && w.Close() == nil && gz.Len() < len(b) {
		v.gzip = gz.Bytes()
	}
	br := assets.Brotli(name, b)
	if br == nil {
		br, _ = assets.Compress(b)
	}
	if len(br) > 0 && len(br) < len(b) {
		v.br = br
	}
	return v
}

// get returns the file compressed with enc, if ready.
func (p *precompressed) get(site *assets.Site, name, enc string) []byte {
	p.mu.RLock()
	v := p.files[site.Hash()+"/"+name]
	p.mu.RUnlock()
	switch {
	case v == nil:
		return nil
	case enc == "br":
		return v.br
	case enc == "gzip":
		return v.gzip
	}
	return nil
}

var warmOnce sync.Map // tree hash → *sync.Once

// warmStatic starts compressing the tree's files, once per tree.
func warmStatic(site *assets.Site) {
	o, _ := warmOnce.LoadOrStore(site.Hash(), &sync.Once{})
	o.(*sync.Once).Do(func() { go static.warm(site) })
}

// sendStatic sends a compressed copy of a file of the tree if the client
// takes one and it is ready, with Vary for every compressible file. It
// reports whether it sent the file.
func sendStatic(c *fiber.Ctx, site *assets.Site, name string) bool {
	ct := mimeOf(name)
	if !compressible(ct) {
		return false
	}
	c.Vary(fiber.HeaderAcceptEncoding)
	enc := encoding(c)
	if enc == "" || fromLoopback(c) {
		return false
	}
	warmStatic(site)
	b := static.get(site, name, enc)
	if b == nil {
		return false
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderContentEncoding, enc)
	c.Response().SetBodyRaw(b) // shared, never written to
	return true
}

// mimeOf is the content type of a file of the tree, by its extension, as
// the file server names it.
func mimeOf(name string) string { return utils.GetMIME(path.Ext(name)) }
