package kiosk

import (
	"bytes"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/common/expfmt"
)

// metrics are the node's own Prometheus metrics, served at /metrics with
// those of the packages that share its registry (the feed's).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	nearby   prometheus.Histogram
}

func newMetrics(reg *prometheus.Registry, screens func() int) *metrics {
	m := &metrics{
		reg: reg,
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "punto", Name: "http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route (the pattern, not the path), method and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route", "method", "code"}),
		nearby: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "punto", Name: "nearby_query_duration_seconds",
			Help:    "Time to find the services nearest a point and summarize them from memory (no SQL, no JSON).",
			Buckets: []float64{.00001, .000025, .00005, .0001, .00025, .0005, .001, .0025, .01, .1},
		}),
	}
	reg.MustRegister(m.requests, m.nearby,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "punto", Name: "screens_connected",
			Help: "Browsers holding their live channel to this node open."}, func() float64 { return float64(screens()) }),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe times every request by its route pattern, so that the labels
// stay few whatever paths are asked for.
func (m *metrics) observe(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		// Answer the error here, so that its status is the one counted.
		if herr := c.App().Config().ErrorHandler(c, err); herr != nil {
			c.Status(fiber.StatusInternalServerError)
		}
		err = nil
	}
	code := c.Response().StatusCode()
	route := c.Route().Path
	if route == "" || route == "/" && c.Path() != "/" {
		route = "other"
	}
	m.requests.WithLabelValues(route, c.Method(), strconv.Itoa(code)).Observe(time.Since(start).Seconds())
	return err
}

// serve answers /metrics in the Prometheus text format.
func (m *metrics) serve(c *fiber.Ctx) error {
	mfs, err := m.reg.Gather()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	format := expfmt.NewFormat(expfmt.TypeTextPlain)
	enc := expfmt.NewEncoder(&buf, format)
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	c.Set(fiber.HeaderContentType, string(format))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}
