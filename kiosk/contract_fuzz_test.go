package kiosk

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// TestOpenAPIContract is a contract fuzzer: requests generated from the
// document the node serves (every GET operation that answers at once,
// its parameters drawn from their schemas and the rules the document
// states beside them: x-together, x-ordered) go to a real node, and
//
//   - no answer is a 5xx;
//   - every answer matches the schema the document gives for its status;
//   - a request the document accepts is never refused with a 400 (one it
//     refuses the node may still take: en_US for en-US).
//
// A few hundred requests here; PUNTO_CONTRACT_N=20000 (make fuzz) for a
// long run.
func TestOpenAPIContract(t *testing.T) {
	t.Parallel()
	n := 300
	if v := os.Getenv("PUNTO_CONTRACT_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			t.Fatal(err)
		}
	}
	srv := newTestServer(t)
	putRemote(t, srv)
	base := listen(t, srv)
	doc, router := servedOpenAPI(t, base)
	type op struct {
		path string
		op   *openapi3.Operation
	}
	var ops []op
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Find(path)
		get := item.Get
		// Streams and the voice (espeak-ng) are left to their own tests.
		if get == nil || path == "/live" || path == "/voice" {
			continue
		}
		ops = append(ops, op{path, get})
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].path < ops[j].path })
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("PUNTO_CONTRACT_SEED"); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	r := rand.New(rand.NewPCG(seed, 15))
	g := &reqGen{r: r, ids: []string{"ancona-info-0", "linea-zebrafono", "falconara-marittima-events-27"}}
	counts := map[string]int{}
	failures, refused, lenient := 0, 0, 0
	for i := 0; i < n && failures < 10; i++ {
		o := ops[r.IntN(len(ops))]
		target := g.target(o.path, o.op)
		req, err := http.NewRequest("GET", base+"/api/v1"+target, nil)
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Fatalf("%s is not in the document: %v", target, err)
		}
		ctx := context.Background()
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
		docOK := openapi3filter.ValidateRequest(ctx, in) == nil && g.rulesHold(o.op, req.URL.Query())
		res, err := srv.App().Test(req, -1)
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		counts[fmt.Sprintf("%s %d", o.path, res.StatusCode)]++
		fail := func(format string, args ...any) {
			failures++
			t.Errorf("seed %d, %s: "+format, append([]any{seed, target}, args...)...)
		}
		switch {
		case res.StatusCode >= 500:
			fail("%d %s", res.StatusCode, truncate(body))
			continue
		case docOK && res.StatusCode == 400:
			fail("the document accepts it, the node refuses it: %s", truncate(body))
		case !docOK && res.StatusCode != 400:
			lenient++ // the node takes more than the document promises (en_US)
		case !docOK:
			refused++
		}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header, Options: in.Options}
		out.SetBodyBytes(body)
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			fail("the answer does not match the document: %v\n%s", err, truncate(body))
		}
	}
	t.Logf("seed %d: %d requests, %d refused by both the document and the node, %d refused by the document alone: %v", seed, n, refused, lenient, counts)
}

// reqGen draws requests from the document's parameters.
type reqGen struct {
	r   *rand.Rand
	ids []string
}

// target is a path with its path parameters filled and a query.
func (g *reqGen) target(path string, op *openapi3.Operation) string {
	q := url.Values{}
	together := together(op)
	for _, pr := range op.Parameters {
		p := pr.Value
		switch {
		case p.In == "path":
			path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(g.id()))
			continue
		case p.In != "query":
			continue
		case !p.Required && g.r.IntN(3) == 0:
			continue // left out
		case together[p.Name] != "" && q.Has(together[p.Name]):
			continue // drawn with its partner
		}
		q.Set(p.Name, g.value(p))
		if mate := together[p.Name]; mate != "" {
			for _, pr2 := range op.Parameters {
				if pr2.Value.Name == mate {
					q.Set(mate, g.value(pr2.Value))
				}
			}
		}
	}
	// Now and then a rule broken on purpose: the node must refuse it.
	if g.r.IntN(10) == 0 {
		for name, mate := range together {
			if q.Has(name) && q.Has(mate) {
				q.Del(mate)
				break
			}
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// together reads x-together: names of parameters that come in pairs.
func together(op *openapi3.Operation) map[string]string {
	out := map[string]string{}
	raw, ok := op.Extensions["x-together"].([]any)
	if !ok {
		return out
	}
	for _, pair := range raw {
		p, _ := pair.([]any)
		if len(p) == 2 {
			a, _ := p[0].(string)
			b, _ := p[1].(string)
			out[a], out[b] = b, a
		}
	}
	return out
}

// rulesHold checks the rules the document states beside the schemas.
func (g *reqGen) rulesHold(op *openapi3.Operation, q url.Values) bool {
	for a, b := range together(op) {
		if q.Has(a) != q.Has(b) {
			return false
		}
	}
	for _, pr := range op.Parameters {
		p := pr.Value
		if ordered, _ := p.Extensions["x-ordered"].(bool); ordered && q.Has(p.Name) {
			v := strings.Split(q.Get(p.Name), ",")
			if len(v) == 4 {
				f := make([]float64, 4)
				for i := range v {
					f[i], _ = strconv.ParseFloat(v[i], 64)
				}
				if f[0] > f[2] || f[1] > f[3] {
					return false
				}
			}
		}
	}
	return true
}

func (g *reqGen) id() string {
	if g.r.IntN(4) > 0 {
		return g.ids[g.r.IntN(len(g.ids))]
	}
	return g.word("abcdefghijklmnopqrstuvwxyz0123456789._:-", 1+g.r.IntN(20))
}

func (g *reqGen) word(alphabet string, n int) string {
	a := []rune(alphabet)
	var b strings.Builder
	for range n {
		b.WriteRune(a[g.r.IntN(len(a))])
	}
	return b.String()
}

// value draws one parameter's value: mostly valid by its schema (and by
// its name, for strings with a grammar), sometimes not.
func (g *reqGen) value(p *openapi3.Parameter) string {
	s := p.Schema.Value
	switch p.Name {
	case "lang", "second", "speaks":
		tags := []string{"it", "en", "ar", "fr", "pt-BR", "zh", "zh-Hant-TW", "ti", "uk", "fa", "ur", "bn", "pa", "ro", "sq", "ru", "es",
			"de", "sw", "xx", "zz-ZZ", "abc", "EN", "en-us", "x", "english", "en_US", "", "it-IT-x-punto"}
		if p.Name == "speaks" {
			tags = []string{"it", "ar", "fr", "en", "ti", "xyz", "Arabic", "a", ""}
		}
		return tags[g.r.IntN(len(tags))]
	case "q":
		words := []string{"medico", "lavoro", "طبيب", "робота", "yisheng", "医生", "permesso di soggiorno", "zebrafono", "a", "ab", "x y",
			"!!", "casa 12", "\u202Eabc", "tab\there", strings.Repeat("é", 201), strings.Repeat("ab ", 60), "1", "12"}
		return words[g.r.IntN(len(words))]
	case "at":
		years := []int{1999, 2000, 2026, 2026, 2026, 2100, 2101, 2999}
		tm := time.Date(years[g.r.IntN(len(years))], time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), g.r.IntN(24), g.r.IntN(60), 0, 0,
			time.FixedZone("", 3600*(g.r.IntN(27)-12)))
		if g.r.IntN(12) == 0 {
			return "tomorrow"
		}
		return tm.Format(time.RFC3339)
	case "bbox":
		lo1, la1 := 6+g.r.Float64()*12, 36+g.r.Float64()*11
		lo2, la2 := lo1+g.r.Float64()*(1+float64(g.r.IntN(3))), la1+g.r.Float64()
		if g.r.IntN(8) == 0 {
			lo1, lo2 = lo2, lo1 // upside down
		}
		return fmt.Sprintf("%.4f,%.4f,%.4f,%.4f", lo1, la1, lo2, la2)
	case "path":
		paths := []string{"/s/ancona-info-0", "/s/ancona-info-0?lang=fr", "/api/v1/services/ancona-info-0", "https://evil.example/", "/s/" + strings.Repeat("a", 290), "/"}
		return paths[g.r.IntN(len(paths))]
	}
	switch {
	case len(s.Enum) > 0:
		if g.r.IntN(12) == 0 {
			return "pizza"
		}
		return fmt.Sprint(s.Enum[g.r.IntN(len(s.Enum))])
	case s.Type.Is("boolean"):
		return []string{"true", "false", "1", "0", "yes", "maybe"}[g.r.IntN(6)]
	case s.Type.Is("integer"), s.Type.Is("number"):
		lo, hi := -1e6, 1e6
		if s.Min != nil {
			lo = *s.Min
		}
		if s.Max != nil {
			hi = *s.Max
		}
		v := lo + g.r.Float64()*(hi-lo)
		if g.r.IntN(10) == 0 {
			v = hi + 1 + g.r.Float64()*100 // out of range
		}
		if s.Type.Is("integer") {
			return strconv.Itoa(int(v))
		}
		return strconv.FormatFloat(v, 'f', g.r.IntN(7), 64)
	}
	return g.word("abcdefghijklmnopqrstuvwxyz", 1+g.r.IntN(12))
}
