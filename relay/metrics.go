package relay

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the feed's Prometheus metrics, on either end. A nil
// *Metrics records nothing.
type Metrics struct {
	applied   prometheus.Counter
	rejected  *prometheus.CounterVec
	lag       prometheus.Gauge
	published prometheus.Counter
	reports   *prometheus.CounterVec
}

// NewMetrics registers the feed's metrics in reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		applied: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "punto", Subsystem: "feed", Name: "envelopes_applied_total",
			Help: "Signed envelopes (batches or snapshots) this totem applied."}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "punto", Subsystem: "feed", Name: "envelopes_rejected_total",
			Help: "Envelopes this totem refused, by reason (nothing of them was applied)."}, []string{"reason"}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "punto", Subsystem: "feed", Name: "sync_lag",
			Help: "Changes this totem is behind the portal, as far as it knows."}),
		published: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "punto", Subsystem: "feed", Name: "batches_published_total",
			Help: "Batches the portal published."}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "punto", Subsystem: "feed", Name: "totem_rejects_total",
			Help: "Envelopes totems reported refusing, by reason."}, []string{"reason"}),
	}
	reg.MustRegister(m.applied, m.rejected, m.lag, m.published, m.reports)
	return m
}

func (m *Metrics) appliedOne(seq, head int64) {
	if m == nil {
		return
	}
	m.applied.Inc()
	m.lag.Set(float64(max(0, head-seq)))
}

func (m *Metrics) setLag(seq, head int64) {
	if m != nil {
		m.lag.Set(float64(max(0, head-seq)))
	}
}

func (m *Metrics) rejectedOne(reason string) {
	if m != nil {
		m.rejected.WithLabelValues(reasonLabel(reason)).Inc()
	}
}

func (m *Metrics) publishedOne() {
	if m != nil {
		m.published.Inc()
	}
}

func (m *Metrics) reported(reason string) {
	if m != nil {
		m.reports.WithLabelValues(reasonLabel(reason)).Inc()
	}
}

// reasonLabel keeps label values to the known reasons: a totem's report is
// not trusted to be one.
func reasonLabel(r string) string {
	switch r {
	case "unsigned", "tampered", "replay", "out_of_order", "expired", "broken_chain", "invalid":
		return r
	}
	return "other"
}

// registerHub adds the hub's gauges, read when scraped.
func (m *Metrics) registerHub(reg prometheus.Registerer, h *Hub) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "punto", Subsystem: "feed", Name: "totems_connected",
			Help: "Totems connected to the portal now."}, func() float64 { return float64(len(h.Connected())) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "punto", Subsystem: "feed", Name: "totems_max_lag",
			Help: "Changes the furthest-behind connected totem has yet to acknowledge."}, func() float64 { return float64(h.maxLag()) }),
	)
}
